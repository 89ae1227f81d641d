"""Integration tests of omni_client against the reference server started with the launcher."""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
import uvicorn
from omni_image_client import Client
from omni_image_client.models import (
    CallbackTask,
    CreateTaskRequest,
    TaskStatus,
    WatermarkInfo,
)
from PIL import Image

from omni_client import (
    AuthenticationError,
    CallbackReceiver,
    InvalidRequestError,
    NotFoundError,
    TaskFailedError,
    TaskTimeoutError,
    connect,
    connect_async,
    create_task,
    create_task_async,
    download_results,
    get_task,
    image_reference,
    list_tasks,
    wait_for_task,
    wait_for_task_async,
)
from omni_spec import load_contract
from reference_server.launcher import start_reference_server
from tests.omni_client.conftest import WEBHOOK_SECRET

N_MAX = load_contract().resolve("/components/schemas/CreateTaskRequest/properties/n/maximum")
RECEIVER_START_SECONDS = 10.0


@pytest.fixture
def client(base_url: str) -> Iterator[Client]:
    """A client of the session's reference server (development keys), closed after the test."""
    with connect() as opened:
        yield opened


def test_create_wait_download_with_jwt(client: Client, tmp_path: Path) -> None:
    """A JWT-signed create ends succeed with n watermarked results that download as images."""
    body = CreateTaskRequest(prompt="a red kite", n=2, watermark_info=WatermarkInfo(enabled=True))
    task = create_task(client, body)
    assert task.task_status is TaskStatus.SUBMITTED
    seen: list[str] = []
    done = wait_for_task(
        client,
        task.task_id,
        timeout=30,
        poll=0.05,
        on_progress=lambda t: seen.append(t.task_status.value),
    )
    assert done.task_status is TaskStatus.SUCCEED
    assert seen[-1] == "succeed"
    saved = download_results(done, tmp_path)
    assert len(saved) == 4  # two images, each with a watermarked copy
    for image in saved:
        with Image.open(image.path) as opened:
            assert opened.format in ("PNG", "JPEG")


def test_api_key_auth_lists_own_tasks(client: Client) -> None:
    """The development API key maps to the development user and sees its tasks."""
    created = create_task(client, CreateTaskRequest(prompt="listed task"))
    with connect(api_key="omni-dev-api-key") as by_api_key:
        listed = list_tasks(by_api_key, page_size=50)
    assert created.task_id in {task.task_id for task in listed}


def test_errors_carry_spec_meanings(client: Client) -> None:
    """Unknown task is NotFoundError 1203; a wrong secret is AuthenticationError; both with spec meanings."""
    meanings = load_contract().error_codes
    with pytest.raises(NotFoundError) as missing:
        get_task(client, "no-such-task")
    assert (missing.value.code, missing.value.meaning) == (1203, meanings[1203].meaning)
    assert missing.value.request_id
    with (
        connect(access_key="ak-omni-dev", secret_key="not-the-secret") as wrong,
        pytest.raises(AuthenticationError) as refused,
    ):
        get_task(wrong, "x")
    assert refused.value.meaning == meanings[refused.value.code].meaning


def test_invalid_request_is_typed(client: Client) -> None:
    """A body breaking a range (n one over the spec's maximum) is InvalidRequestError 1201."""
    with pytest.raises(InvalidRequestError) as caught:
        create_task(client, CreateTaskRequest(prompt="too many", n=N_MAX + 1))
    assert (
        caught.value.code == load_contract().rule("body-json-object").params["invalid_field_code"]
    )


def test_failed_task_raises_with_message(client: Client) -> None:
    """A prompt with the failure marker ends failed; wait raises with task_status_msg."""
    task = create_task(client, CreateTaskRequest(prompt="please omni:fail"))
    with pytest.raises(TaskFailedError) as caught:
        wait_for_task(client, task.task_id, timeout=30, poll=0.05)
    assert caught.value.task_status_msg


def test_wait_times_out_on_a_task_that_stays_submitted() -> None:
    """Against a server whose steps take an hour, a short wait raises TaskTimeoutError at submitted."""
    with (
        start_reference_server(step_delay=3600) as slow,
        connect(base_url=slow.base_url) as slow_client,
    ):
        task = create_task(slow_client, CreateTaskRequest(prompt="slow enough"))
        with pytest.raises(TaskTimeoutError) as caught:
            wait_for_task(slow_client, task.task_id, timeout=0.2, poll=0.05)
    assert (caught.value.task_id, caught.value.last_status) == (task.task_id, "submitted")


def test_reference_image_from_pillow_is_accepted(client: Client) -> None:
    """An in-memory Pillow image becomes a Base64 reference the server accepts."""
    reference = image_reference(Image.new("RGB", (640, 360), "navy"))
    body = CreateTaskRequest(prompt="like <<<image_1>>>", image_list=[reference])
    done = wait_for_task(client, create_task(client, body).task_id, timeout=30, poll=0.05)
    assert done.task_status is TaskStatus.SUCCEED


def test_async_create_and_wait(base_url: str) -> None:
    """The async client creates and waits for a task."""

    async def run() -> TaskStatus:
        async with connect_async() as client:
            task = await create_task_async(client, CreateTaskRequest(prompt="async"))
            done = await wait_for_task_async(client, task.task_id, timeout=30, poll=0.05)
            return done.task_status

    assert asyncio.run(run()) is TaskStatus.SUCCEED


CallbackFixture = tuple[str, list[CallbackTask], threading.Event]


@pytest.fixture
def callback_receiver() -> Iterator[CallbackFixture]:
    """A CallbackReceiver served by uvicorn on a loopback port in a thread."""
    received: list[CallbackTask] = []
    arrived = threading.Event()

    def on_task(task: CallbackTask) -> None:
        received.append(task)
        if task.task_status in (TaskStatus.SUCCEED, TaskStatus.FAILED):
            arrived.set()

    receiver = CallbackReceiver(on_task, secret=WEBHOOK_SECRET)
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + RECEIVER_START_SECONDS
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the callback receiver's uvicorn thread exited before it started")
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the callback receiver did not start within {RECEIVER_START_SECONDS:g} s")
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/hooks/kling", received, arrived
    server.should_exit = True
    thread.join(10)


def test_signed_callbacks_are_verified_and_parsed(
    client: Client, callback_receiver: CallbackFixture
) -> None:
    """The server's signed deliveries pass verification and the terminal task arrives, in order."""
    url, received, arrived = callback_receiver
    task = create_task(client, CreateTaskRequest(prompt="call me back", callback_url=url))
    assert arrived.wait(30)
    statuses = [seen.task_status.value for seen in received if seen.task_id == task.task_id]
    lifecycle = load_contract().lifecycle
    assert statuses[-1] == "succeed"
    assert all(lifecycle.is_forward(a, b) for a, b in itertools.pairwise(statuses))


def test_pillow_jpeg_bytes_reference(client: Client) -> None:
    """JPEG bytes at the tallest allowed ratio (min_side x min_side*max_ratio) are accepted."""
    contract = load_contract()
    side = contract.rule("reference-image-min-side").params["min_side"]
    ratio = Fraction(str(contract.rule("reference-image-aspect-ratio").params["max_ratio"]))
    buffer = io.BytesIO()
    Image.new("RGB", (side, int(side * ratio)), "olive").save(buffer, format="JPEG")
    body = CreateTaskRequest(prompt="tall", image_list=[image_reference(buffer.getvalue())])
    assert create_task(client, body).task_status is TaskStatus.SUBMITTED
