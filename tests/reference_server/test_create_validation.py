"""create_task body validation: 1200 vs 1201 (rule `body-json-object`) and every x-rules check."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.reference_server.helpers import PATH, bearer, create, image_b64, image_bytes


def post_raw(base_url: str, content: bytes) -> httpx.Response:
    headers = {**bearer(), "content-type": "application/json"}
    return httpx.post(base_url + PATH, content=content, headers=headers)


def assert_code(response: httpx.Response, code: int, *fragments: str) -> None:
    body = response.json()
    assert (response.status_code, body["code"]) == (400, code), body
    assert "data" not in body
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"not json", b"[1, 2]", b'"prompt"', b"null", b"42", b'{"prompt": NaN}',
     b"\xff\xfe{}", b"[" * 100000],
)  # fmt: skip
def test_not_json_or_not_object_is_1200(base_url: str, content: bytes) -> None:
    """Malformed JSON, non-objects, NaN, bad UTF-8, absurd nesting -> 400/1200."""
    assert_code(post_raw(base_url, content), 1200)


def test_missing_prompt_is_1200(base_url: str) -> None:
    """A required top-level field missing -> 1200, naming it."""
    assert_code(create(base_url, {"n": 1}), 1200, "prompt")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"prompt": None}, "prompt"),
        ({"prompt": 5}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 2501}, "prompt"),
        ({"prompt": "x", "n": 10, "result_type": "series", "model_name": "kling-v3-omni"},
         "n: 10 is greater than the maximum of 9"),
        ({"prompt": "x", "n": 0}, "n"),
        ({"prompt": "x", "n": True}, "n"),
        ({"prompt": "x", "n": 1.5}, "n"),
        ({"prompt": "x", "n": "2"}, "n"),
        ({"prompt": "x", "series_amount": 10}, "series_amount"),
        ({"prompt": "x", "series_amount": 1}, "series_amount"),
        ({"prompt": "x", "series_amount": "many"}, "series_amount"),
        ({"prompt": "x", "model_name": "kling-v9"}, "model_name"),
        ({"prompt": "x", "resolution": "8k"}, "resolution"),
        ({"prompt": "x", "aspect_ratio": "5:4"}, "aspect_ratio"),
        ({"prompt": "x", "result_type": "many"}, "result_type"),
        ({"prompt": "x", "image_list": [{}]}, "image_list[0]"),
        ({"prompt": "x", "image_list": [{"image": ""}]}, "image_list[0].image"),
        ({"prompt": "x", "image_list": {"image": "a"}}, "image_list"),
        ({"prompt": "x", "element_list": [{"element_id": "1001"}]}, "element_list[0]"),
        ({"prompt": "x", "watermark_info": {"enabled": "yes"}}, "watermark_info"),
        ({"prompt": "x", "callback_url": "ftp://example.com/x"}, "callback_url"),
        ({"prompt": "x", "callback_url": "/relative"}, "callback_url"),
        ({"prompt": "x", "external_task_id": ""}, "external_task_id"),
        ({"prompt": "x", "external_task_id": None}, "external_task_id"),
    ],
)  # fmt: skip
def test_invalid_field_is_1201(base_url: str, body: dict[str, Any], fragment: str) -> None:
    """Wrong type, null, out of range, not in enum, nested item missing image -> 400/1201."""
    assert_code(create(base_url, body), 1201, fragment)


def test_prompt_length_counts_code_points(base_url: str) -> None:
    """2,500 astral characters (5,000 UTF-16 units) pass; 2,501 fail."""
    assert create(base_url, {"prompt": "\U0001f600" * 2500}).status_code == 200
    assert_code(create(base_url, {"prompt": "\U0001f600" * 2501}), 1201, "prompt")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"prompt": "x", "n": ' + b"9" * 5000 + b"}", "n: <integer of 5000 digits> is greater"),
        (b'{"prompt": "x", "n": -' + b"9" * 5000 + b"}", "n: -<integer of 5000 digits> is less"),
        (b'{"prompt": "x", "element_list": [{"element_id": ' + b"7" * 5000 + b"}]}",
         "element_id: <integer of 5000 digits> is not in your element library"),
    ],
)  # fmt: skip
def test_integer_beyond_python_digit_limit_is_range_checked(
    base_url: str, content: bytes, fragment: str
) -> None:
    """A 5000-digit integer is valid JSON: the field is range-checked (1201), not called bad JSON."""
    assert_code(post_raw(base_url, content), 1201, fragment)


def test_huge_integer_in_an_unknown_field_is_ignored(base_url: str) -> None:
    """A 5000-digit integer in an unknown field is ignored like any other unknown value."""
    response = post_raw(base_url, b'{"prompt": "x", "extra": ' + b"9" * 5000 + b"}")
    assert response.status_code == 200, response.text


def test_integral_float_is_an_integer_and_unknown_fields_are_ignored(base_url: str) -> None:
    """n: 2.0 is the integer 2; unknown fields are ignored [decided]."""
    response = create(base_url, {"prompt": "x", "n": 2.0, "surprise": {"a": [1]}})
    assert response.status_code == 200, response.text


def test_nul_and_odd_unicode_in_prompt_are_accepted(base_url: str) -> None:
    """NUL bytes, RTL marks and combining characters are plain text."""
    prompt = "a\x00b \u202e\u0301 \ufeff 雪"
    response = create(base_url, {"prompt": prompt, "external_task_id": "nul\x00id-" + prompt})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["task_info"]["external_task_id"] == "nul\x00id-" + prompt


def test_lone_surrogate_is_1201(base_url: str) -> None:
    """A lone UTF-16 surrogate escape is no character: 1201, never a 500."""
    assert_code(post_raw(base_url, b'{"prompt": "a\\ud800b"}'), 1201, "surrogate")


def test_references_total_max_10(base_url: str) -> None:
    """image_list + element_list above 10 -> 1201 (rule `references-total-max-10`)."""
    images = [{"image": image_b64()} for _ in range(5)]
    elements = [{"element_id": 1001 + i} for i in range(6)]
    body = {"prompt": "x", "image_list": images, "element_list": elements}
    assert_code(create(base_url, body), 1201, "at most 10")
    body["element_list"] = elements[:5]
    assert create(base_url, body).status_code == 200


@pytest.mark.parametrize(
    ("prompt", "ok"),
    [
        ("<<<image_1>>> and <<<element_2>>>", True),
        ("<<<image_2>>>", False),
        ("<<<element_3>>>", False),
        ("<<<image_0>>>", False),
        ("<<<video_9>>> <<<image_x>>> <<image_5>> plain", True),
    ],
)
def test_prompt_reference_in_range(base_url: str, prompt: str, ok: bool) -> None:
    """<<<image_N>>>/<<<element_N>>> must name an entry; other <<<...>>> text is plain."""
    body = {
        "prompt": prompt,
        "image_list": [{"image": image_b64()}],
        "element_list": [{"element_id": 1001}, {"element_id": 1002}],
    }
    response = create(base_url, body)
    if ok:
        assert response.status_code == 200, response.text
    else:
        assert_code(response, 1201, "prompt")


def test_capability_model_resolution(base_url: str) -> None:
    """kling-image-o1 refuses 4k; kling-v3-omni takes it."""
    assert_code(create(base_url, {"prompt": "x", "resolution": "4k"}), 1201, "resolution")
    body = {"prompt": "x", "resolution": "4k", "model_name": "kling-v3-omni", "aspect_ratio": "1:1"}
    assert create(base_url, body).status_code == 200


def test_capability_model_series(base_url: str) -> None:
    """kling-image-o1 refuses series; kling-v3-omni takes it."""
    assert_code(create(base_url, {"prompt": "x", "result_type": "series"}), 1201, "series")
    body = {"prompt": "x", "result_type": "series", "model_name": "kling-v3-omni",
            "aspect_ratio": "1:1"}  # fmt: skip
    assert create(base_url, body).status_code == 200


def test_capability_auto_ratio_needs_reference(base_url: str) -> None:
    """kling-v3-omni with auto ratio needs a reference image or element."""
    body: dict[str, Any] = {"prompt": "x", "model_name": "kling-v3-omni"}
    assert_code(create(base_url, body), 1201, "aspect_ratio")
    body["element_list"] = [{"element_id": 1001}]
    assert create(base_url, body).status_code == 200


def test_element_id_in_library(base_url: str) -> None:
    """An element id outside the library -> 1201 naming it."""
    body = {"prompt": "x", "element_list": [{"element_id": 99}]}
    assert_code(create(base_url, body), 1201, "element_list[0].element_id")
    body = {"prompt": "x", "element_list": [{"element_id": 2**70}]}
    assert_code(create(base_url, body), 1201, "element_list[0]")


def test_external_task_id_unique_per_user(base_url: str) -> None:
    """The same external id twice for one user -> 1201; another user may use it."""
    from tests.reference_server.helpers import OTHER_KEY

    body = {"prompt": "x", "external_task_id": "dup-ext-1"}
    assert create(base_url, body).status_code == 200
    assert_code(create(base_url, body), 1201, "external_task_id")
    assert create(base_url, body, key=OTHER_KEY).status_code == 200


def one_image(image: str) -> dict[str, object]:
    return {"prompt": "x", "image_list": [{"image": image}]}


@pytest.mark.parametrize(
    ("image", "fragment"),
    [
        ("data:image/png;base64," + image_b64(), "image_list[0].image"),
        ("DATA:image/png;base64," + image_b64(), "image_list[0].image"),
        (image_b64().rstrip("="), "Base64"),
        (image_b64()[:40] + "\n" + image_b64()[40:], "Base64"),
        (base64.urlsafe_b64encode(b"\xfb\xff" * 300).decode(), "Base64"),
        ("héllo", "Base64"),
        (base64.b64encode(b"GIF89a" + b"\x00" * 100).decode(), "not a JPEG or PNG"),
        (base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode(), "PNG"),
        (image_b64(299, 300), "299x300"),
        (image_b64(751, 300), "751x300"),
        (image_b64(300, 751), "300x751"),
        ("A" * (4 * (10 * 1024 * 1024 // 3 + 2)), "at most 10485760"),
    ],
)
def test_reference_image_rules(base_url: str, image: str, fragment: str) -> None:
    """Base64 strictness, data: prefix, format by content, sides and ratio -> 1201."""
    assert_code(create(base_url, one_image(image)), 1201, fragment)


@pytest.mark.parametrize(
    ("width", "height", "fmt"), [(750, 300, "PNG"), (300, 750, "JPEG"), (300, 300, "PNG")]
)
def test_reference_image_boundaries_pass(base_url: str, width: int, height: int, fmt: str) -> None:
    """750x300 and 300x750 pass (inclusive ratio), 300x300 passes (min side); JPEG and PNG."""
    assert create(base_url, one_image(image_b64(width, height, fmt))).status_code == 200


def test_reference_image_exactly_10_mb_passes(base_url: str) -> None:
    """A PNG padded to exactly 10,485,760 bytes is accepted (the cap is inclusive)."""
    data = image_bytes(400, 400)
    data += b"\x00" * (10 * 1024 * 1024 - len(data))
    assert create(base_url, one_image(base64.b64encode(data).decode())).status_code == 200
    assert_code(
        create(base_url, one_image(base64.b64encode(data + b"\x00").decode())), 1201, "10485760"
    )
