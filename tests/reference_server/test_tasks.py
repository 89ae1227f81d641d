"""Task lifecycle, result shape and geometry, lookup, isolation and listing, via the generated
client for the happy paths and raw httpx elsewhere."""

from __future__ import annotations

import io
import time

import httpx
import pytest
from omni_image_client import AuthenticatedClient
from omni_image_client.api.omni_image import create_task, get_task, list_tasks
from omni_image_client.models import (
    CreateTaskEnvelope,
    CreateTaskRequest,
    TaskEnvelope,
    TaskListEnvelope,
    TaskResult,
    WatermarkInfo,
)
from PIL import Image

from omni_spec import load_contract
from tests.reference_server.helpers import (
    DEV_KEY,
    OTHER_KEY,
    PATH,
    bearer,
    create,
    image_b64,
    wait_terminal,
)

TASK_VALIDATOR = load_contract().schema_validator("Task")
GEOMETRY = load_contract().rule("result-image-geometry").params
POLL_DEADLINE = 30.0  # seconds; the test server steps every few tens of milliseconds


@pytest.fixture(scope="module")
def client(base_url: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=DEV_KEY)


def test_lifecycle_through_generated_client(client: AuthenticatedClient) -> None:
    """A new task is submitted, then reaches succeed with n images and forward-only status."""
    body = CreateTaskRequest(prompt="a lighthouse", n=3, watermark_info=WatermarkInfo(enabled=True))
    created = create_task.sync_detailed(client=client, body=body)
    assert created.status_code == 200 and isinstance(created.parsed, CreateTaskEnvelope)
    answer = created.parsed.data
    assert answer.task_status.value == "submitted"
    # This server answers the whole task (decided): the optional fields are there.
    assert isinstance(answer.task_result, TaskResult) and answer.task_result.images == []
    assert answer.task_info.external_task_id is None
    task_id = answer.task_id
    seen = ["submitted"]
    deadline = time.monotonic() + POLL_DEADLINE
    while seen[-1] not in ("succeed", "failed"):
        assert time.monotonic() < deadline, f"no terminal status in {POLL_DEADLINE} s: saw {seen}"
        time.sleep(0.02)
        got = get_task.sync_detailed(task_id, client=client).parsed
        assert isinstance(got, TaskEnvelope)
        task = got.data
        if task.task_status.value != seen[-1]:
            seen.append(task.task_status.value)
    assert seen in (["submitted", "processing", "succeed"], ["submitted", "succeed"])
    final = task
    assert [item.index for item in final.task_result.images] == [0, 1, 2]
    assert all(isinstance(item.watermark_url, str) for item in final.task_result.images)
    assert final.final_unit_deduction == "3"
    assert final.updated_at >= final.created_at


def test_task_json_matches_schema_at_every_stage(base_url: str) -> None:
    """Task objects validate against the spec's Task schema, before and after succeed."""
    created = create(base_url, {"prompt": "x"}).json()["data"]
    assert not list(TASK_VALIDATOR.iter_errors(created))
    final = wait_terminal(base_url, created["task_id"])
    assert not list(TASK_VALIDATOR.iter_errors(final))
    assert "watermark_url" not in final["task_result"]["images"][0]


def test_series_fills_series_images(base_url: str) -> None:
    """series: series_amount items in series_images, images empty."""
    body = {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series",
            "series_amount": 3, "aspect_ratio": "3:2", "n": 9}  # fmt: skip
    task = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
    assert task["task_result"]["images"] == []
    assert [item["index"] for item in task["task_result"]["series_images"]] == [0, 1, 2]


def test_series_auto_picks_2_to_9(base_url: str) -> None:
    """series_amount auto -> 2..9 items."""
    body = {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series",
            "series_amount": "auto", "aspect_ratio": "1:1"}  # fmt: skip
    task = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
    assert 2 <= len(task["task_result"]["series_images"]) <= 9


def test_failure_marker_fails_with_message(base_url: str) -> None:
    """A prompt with the failure marker ends failed, with a message and empty results."""
    task = wait_terminal(
        base_url, create(base_url, {"prompt": "x omni:fail"}).json()["data"]["task_id"]
    )
    assert task["task_status"] == "failed" and "failure marker" in task["task_status_msg"]
    assert task["task_result"]["images"] == [] == task["task_result"]["series_images"]


def download(url: str) -> Image.Image:
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def assert_geometry(image: Image.Image, ratio: str, resolution: str) -> None:
    width, height = (int(part) for part in ratio.split(":"))
    assert (
        abs(image.width / image.height - width / height) / (width / height)
        <= GEOMETRY["ratio_tolerance"]
    )
    target = GEOMETRY["pixels"][resolution]
    assert abs(image.width * image.height - target) / target <= GEOMETRY["pixel_tolerance"]


@pytest.mark.parametrize("ratio", ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"])
def test_result_geometry_1k(base_url: str, ratio: str) -> None:
    """Each ratio at 1k: width/height within 1%, pixels within 15% of 1024^2."""
    task_id = create(base_url, {"prompt": "x", "aspect_ratio": ratio}).json()["data"]["task_id"]
    task = wait_terminal(base_url, task_id)
    assert_geometry(download(task["task_result"]["images"][0]["url"]), ratio, "1k")


def test_result_geometry_2k_and_4k(base_url: str) -> None:
    """2k and 4k images have their pixel counts (rendered lazily, then cached)."""
    for resolution in ("2k", "4k"):
        body = {"prompt": "x", "model_name": "kling-v3-omni", "resolution": resolution,
                "aspect_ratio": "16:9"}  # fmt: skip
        task = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
        url = task["task_result"]["images"][0]["url"]
        assert_geometry(download(url), "16:9", resolution)
        assert download(url).size == download(url).size  # cached copy served again


@pytest.mark.parametrize(("size", "expected"), [((800, 400), "16:9"), ((700, 400), "16:9"),
                                                ((400, 400), "1:1"), ((300, 740), "9:16")])  # fmt: skip
def test_auto_ratio_follows_first_reference(
    base_url: str, size: tuple[int, int], expected: str
) -> None:
    """auto -> the first reference image's ratio clamped to the nearest supported ratio."""
    body = {
        "prompt": "x",
        "image_list": [{"image": image_b64(*size)}, {"image": image_b64(300, 700)}],
    }
    task = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
    assert_geometry(download(task["task_result"]["images"][0]["url"]), expected, "1k")


def test_auto_ratio_without_reference_is_square(base_url: str) -> None:
    """auto with no reference image -> 1:1."""
    task = wait_terminal(base_url, create(base_url, {"prompt": "x"}).json()["data"]["task_id"])
    assert_geometry(download(task["task_result"]["images"][0]["url"]), "1:1", "1k")


def test_watermarked_copy_differs(base_url: str) -> None:
    """watermark_url serves a visibly different image of the same size."""
    body = {"prompt": "x", "watermark_info": {"enabled": True}}
    task = wait_terminal(base_url, create(base_url, body).json()["data"]["task_id"])
    item = task["task_result"]["images"][0]
    plain, marked = download(item["url"]), download(item["watermark_url"])
    assert plain.size == marked.size and plain.tobytes() != marked.tobytes()


def test_result_urls_need_no_auth_and_bad_ones_are_404(base_url: str) -> None:
    """Unknown result names are 404 envelopes; watermark copies exist only when enabled."""
    task = wait_terminal(base_url, create(base_url, {"prompt": "x"}).json()["data"]["task_id"])
    base = task["task_result"]["images"][0]["url"].rsplit("/", 1)[0]
    for name in ("0-wm.png", "1.png", "x.png", "01x.png"):
        response = httpx.get(f"{base}/{name}")
        assert response.status_code == 404 and response.json()["code"] == 1203


def test_lookup_by_external_id_and_task_id_wins(base_url: str) -> None:
    """GET accepts external_task_id; when an external id equals another task's id, task_id wins."""
    first = create(base_url, {"prompt": "x", "external_task_id": "ext-lookup-1"}).json()["data"]
    got = httpx.get(f"{base_url}{PATH}/ext-lookup-1", headers=bearer()).json()["data"]
    assert got["task_id"] == first["task_id"]
    second = create(base_url, {"prompt": "x", "external_task_id": first["task_id"]}).json()["data"]
    got = httpx.get(f"{base_url}{PATH}/{first['task_id']}", headers=bearer()).json()["data"]
    assert got["task_id"] == first["task_id"] != second["task_id"]


def test_other_users_task_is_not_found(base_url: str) -> None:
    """Another user's task is 404/1203 by task_id and by external_task_id, and never listed."""
    mine = create(base_url, {"prompt": "x", "external_task_id": "private-1"}).json()["data"]
    for path_id in (mine["task_id"], "private-1"):
        response = httpx.get(f"{base_url}{PATH}/{path_id}", headers=bearer(OTHER_KEY))
        assert (response.status_code, response.json()["code"]) == (404, 1203)
    listed = httpx.get(base_url + PATH, params={"pageSize": 500}, headers=bearer(OTHER_KEY))
    assert mine["task_id"] not in {task["task_id"] for task in listed.json()["data"]}


@pytest.mark.parametrize(
    "path_id",
    [
        "does-not-exist",
        "%00",
        "a%2Fb",
        "a/b/c",
        "%F0%9F%98%80",
        "%FF%FE",
        "x" * 5000,
        "%20",
        "..%2F..",
    ],
)
def test_path_ids_of_any_shape_are_404_1203(base_url: str, path_id: str) -> None:
    """Unknown ids of any shape (NUL, slashes, emoji, invalid UTF-8, very long) -> 404/1203."""
    response = httpx.get(f"{base_url}{PATH}/{path_id}", headers=bearer())
    assert (response.status_code, response.json()["code"]) == (404, 1203)


def test_list_newest_first_pages_do_not_overlap(base_url: str) -> None:
    """The list is newest first (created_at, task_id desc); consecutive pages neither overlap nor skip."""
    key = OTHER_KEY
    ids = [
        create(base_url, {"prompt": f"p{i}"}, key=key).json()["data"]["task_id"] for i in range(7)
    ]
    client = AuthenticatedClient(base_url=base_url, token=key)
    pages = []
    for page_num in (1, 2, 3):
        parsed = list_tasks.sync_detailed(client=client, page_num=page_num, page_size=3).parsed
        assert isinstance(parsed, TaskListEnvelope)
        pages.append([task.task_id for task in parsed.data])
    flat = [task_id for page in pages for task_id in page]
    assert len(flat) == len(set(flat))
    newest = [task_id for task_id in flat if task_id in ids]
    assert newest == sorted(ids, reverse=True)
    assert len(pages[0]) == 3


@pytest.mark.parametrize(
    "query",
    ["pageNum=0", "pageNum=1001", "pageSize=0", "pageSize=501", "pageNum=abc", "pageSize=1.5",
     "pageNum=", "pageSize=" + "9" * 5000, "pageNum=-1"],
)  # fmt: skip
def test_bad_page_params_are_1201(base_url: str, query: str) -> None:
    """pageNum outside 1..1000 or pageSize outside 1..500, or not integers -> 400/1201."""
    response = httpx.get(f"{base_url}{PATH}?{query}", headers=bearer())
    assert (response.status_code, response.json()["code"]) == (400, 1201)


def test_page_param_boundaries_pass(base_url: str) -> None:
    """pageNum 1000 and pageSize 500 are valid."""
    response = httpx.get(f"{base_url}{PATH}?pageNum=1000&pageSize=500", headers=bearer())
    assert response.status_code == 200 and response.json()["data"] == []
