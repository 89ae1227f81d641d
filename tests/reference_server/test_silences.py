"""The reference server keeps its side of every silence of the contract, one test per silence.

A silence (`x-silences`, docs/contract.md "Silences") is a point nobody rules on: the spec and the
suite allow both sides, this server takes one. Each test here pins that side; the last test
asserts every silence of the spec has its pin, so a new silence cannot go unpinned.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable

import httpx
from PIL import Image

from omni_spec import load_contract
from reference_server.url_fetch import outbound_url
from tests.reference_server.helpers import (
    DEV_KEY,
    PATH,
    bearer,
    create,
    image_bytes,
    make_jwt,
    receiver,
    wait_terminal,
    wait_until,
)

PINS: dict[str, Callable[[str], None]] = {}


def pins(silence_id: str) -> Callable[[Callable[[str], None]], Callable[[str], None]]:
    """Register the decorated test as the pin of one silence."""

    def register(test: Callable[[str], None]) -> Callable[[str], None]:
        PINS[silence_id] = test
        return test

    return register


def code_of(response: httpx.Response) -> int:
    """The business code of an answer."""
    code: int = response.json()["code"]
    return code


@pins("watermark-info-without-enabled")
def test_watermark_info_without_enabled_is_off(base_url: str) -> None:
    """`watermark_info: {}` is accepted as watermarking off: no watermark_url on any result."""
    answer = create(base_url, {"prompt": "x", "n": 2, "watermark_info": {}})
    assert answer.status_code == 200, answer.text
    final = wait_terminal(base_url, answer.json()["data"]["task_id"])
    assert final["watermark_info"] == {"enabled": False}
    assert final["task_result"]["images"]
    assert all("watermark_url" not in item for item in final["task_result"]["images"])


@pins("callback-url-not-strict-uri")
def test_callback_url_not_strict_uri_is_accepted_and_delivered(base_url: str) -> None:
    """A non-ASCII, unescaped callback path is accepted and delivered percent-encoded."""
    with receiver() as (hook, url):
        answer = create(base_url, {"prompt": "x", "callback_url": url + "/hooks/ä b|{x}"})
        assert answer.status_code == 200, answer.text
        wait_terminal(base_url, answer.json()["data"]["task_id"])
        assert wait_until(lambda: any(b'"succeed"' in body for body in hook.bodies))
    assert hook.paths[-1] == "/hooks/%C3%A4%20b|%7Bx%7D"
    # A non-ASCII host is accepted too (delivery then obeys the URL host policy).
    assert create(base_url, {"prompt": "x", "callback_url": "http://bücher.example/x"}).is_success


def test_non_ascii_hosts_are_idna_encoded_for_the_request() -> None:
    """IDNA 2008 names and names only IDNA 2003 maps (U+2603) both get an ASCII host."""
    assert outbound_url("http://bücher.example/ä").raw_host == b"xn--bcher-kva.example"
    assert outbound_url("https://u:p@☃.net:8443/x").raw_host == b"xn--n3h.net"
    assert outbound_url("https://u:p@☃.net:8443/x").port == 8443


@pins("text-only-series")
def test_text_only_series_is_accepted(base_url: str) -> None:
    """series on kling-v3-omni without any reference is accepted."""
    body = {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series",
            "aspect_ratio": "1:1"}  # fmt: skip
    assert create(base_url, body).status_code == 200


@pins("whitespace-only-prompt")
def test_whitespace_only_prompt_is_accepted(base_url: str) -> None:
    """A prompt of spaces and a tab is accepted."""
    assert create(base_url, {"prompt": "  \t "}).status_code == 200


@pins("prompt-reference-index-zero")
def test_prompt_reference_index_zero_is_1201(base_url: str) -> None:
    """<<<image_0>>> and <<<element_0>>> are refused with 1201."""
    image = base64.b64encode(image_bytes(400, 400)).decode()
    for prompt in ("<<<image_0>>>", "<<<element_0>>>"):
        body = {"prompt": prompt, "image_list": [{"image": image}],
                "element_list": [{"element_id": 1001}]}  # fmt: skip
        assert code_of(create(base_url, body)) == 1201, prompt


@pins("prompt-reference-two-brackets")
def test_two_bracket_references_are_plain_text(base_url: str) -> None:
    """<<image_5>> and <<element_5>> name nothing and are accepted as plain text."""
    assert create(base_url, {"prompt": "<<image_5>> and <<element_5>>"}).status_code == 200


@pins("reference-image-truncated-or-bomb")
def test_truncated_reference_image_is_1201(base_url: str) -> None:
    """A PNG cut in half is refused with 1201 (the bomb side: tests/reliability)."""
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 60).convert("RGB").save(buffer, format="PNG")
    half = base64.b64encode(buffer.getvalue()[: len(buffer.getvalue()) // 2]).decode()
    assert code_of(create(base_url, {"prompt": "x", "image_list": [{"image": half}]})) == 1201


@pins("jwt-exp-far-future")
def test_far_future_exp_is_1000(base_url: str) -> None:
    """A JWT expiring in ten years is refused with 1000 (beyond the maximum token lifetime)."""
    token = make_jwt(exp=int(time.time()) + 10 * 365 * 86400)
    answer = httpx.get(base_url + PATH, headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, code_of(answer)) == (401, 1000)


@pins("jwt-extra-claims")
def test_extra_jwt_claims_are_ignored(base_url: str) -> None:
    """iat and aud claims do not change the answer."""
    token = make_jwt(iat=int(time.time()) + 3600, aud="someone-else")
    answer = httpx.get(base_url + PATH, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


@pins("lone-surrogates-and-nul")
def test_lone_surrogate_is_1201_and_nul_is_accepted(base_url: str) -> None:
    """A lone surrogate escape is 1201; a NUL character is plain text."""
    headers = {**bearer(DEV_KEY), "content-type": "application/json"}
    surrogate = httpx.post(base_url + PATH, content=b'{"prompt": "a\\ud800b"}', headers=headers)
    assert code_of(surrogate) == 1201
    nul = httpx.post(base_url + PATH, content=b'{"prompt": "a\\u0000b"}', headers=headers)
    assert nul.status_code == 200


@pins("path-not-an-operation")
def test_unknown_path_is_404_1202(base_url: str) -> None:
    """A path that is no operation's path answers 404 with 1202."""
    answer = httpx.get(base_url + "/v2/nothing/here", headers=bearer(DEV_KEY))
    assert (answer.status_code, code_of(answer)) == (404, 1202)


@pins("auto-ratio-elements-only")
def test_auto_ratio_with_elements_only_is_square(base_url: str) -> None:
    """aspect_ratio auto with an element and no reference image gives 1:1 results."""
    body = {"prompt": "x", "element_list": [{"element_id": 1001}], "aspect_ratio": "auto"}
    final = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
    url = final["task_result"]["images"][0]["url"]
    width, height = Image.open(io.BytesIO(httpx.get(url).content)).size
    assert width == height


@pins("result-url-lifetime")
def test_result_url_outlives_the_task_reads(base_url: str) -> None:
    """A result URL still answers after the task was read again and listed (while stored)."""
    final = wait_terminal(base_url, create(base_url, {"prompt": "x"}).json()["data"]["task_id"])
    url = final["task_result"]["images"][0]["url"]
    assert httpx.get(url).status_code == 200
    httpx.get(base_url + PATH, headers=bearer(DEV_KEY))
    wait_terminal(base_url, final["task_id"])
    again = httpx.get(url)
    assert again.status_code == 200 and again.headers["content-type"] == "image/png"


@pins("task-times-monotonic")
def test_created_at_fixed_and_updated_at_never_decreasing(base_url: str) -> None:
    """Over a task's life created_at stays fixed and updated_at starts there and never drops."""
    task_id = create(base_url, {"prompt": "x"}).json()["data"]["task_id"]
    seen: list[dict[str, int]] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        data = httpx.get(f"{base_url}{PATH}/{task_id}", headers=bearer(DEV_KEY)).json()["data"]
        seen.append({"created": data["created_at"], "updated": data["updated_at"]})
        if data["task_status"] in load_contract().lifecycle.terminal:
            break
        time.sleep(0.02)
    assert len({row["created"] for row in seen}) == 1
    updates = [row["updated"] for row in seen]
    assert updates == sorted(updates) and updates[0] >= seen[0]["created"]


def test_every_silence_of_the_spec_has_a_pin() -> None:
    """Each x-silences id is pinned by a test of this module, and no pin names another id."""
    assert set(PINS) == set(load_contract().silences)
