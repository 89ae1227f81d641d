"""Integration tests of omni_client against the reference server started with the launcher."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from omni_image_client.models import CreateTaskRequest, Task, TaskStatus, WatermarkInfo
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
from tests.omni_client.conftest import WEBHOOK_SECRET


def test_create_wait_download_with_jwt(base_url: str, tmp_path: Path) -> None:
    """A JWT-signed create ends succeed with n watermarked results that download as images."""
    client = connect()
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


def test_api_key_auth_lists_own_tasks(base_url: str) -> None:
    """The development API key maps to the development user and sees its tasks."""
    created = create_task(connect(), CreateTaskRequest(prompt="listed task"))
    listed = list_tasks(connect(api_key="omni-dev-api-key"), page_size=50)
    assert created.task_id in {task.task_id for task in listed}


def test_errors_carry_spec_meanings(base_url: str) -> None:
    """Unknown task is NotFoundError 1203; a wrong secret is AuthenticationError; both with spec meanings."""
    meanings = load_contract().error_codes
    with pytest.raises(NotFoundError) as missing:
        get_task(connect(), "no-such-task")
    assert (missing.value.code, missing.value.meaning) == (1203, meanings[1203].meaning)
    assert missing.value.request_id
    with pytest.raises(AuthenticationError) as refused:
        get_task(connect(access_key="ak-omni-dev", secret_key="not-the-secret"), "x")
    assert refused.value.meaning == meanings[refused.value.code].meaning


def test_invalid_request_is_typed(base_url: str) -> None:
    """A body breaking a rule (n out of range) is InvalidRequestError with code 1201."""
    with pytest.raises(InvalidRequestError) as caught:
        create_task(connect(), CreateTaskRequest(prompt="too many", n=10))
    assert caught.value.code == 1201


def test_failed_task_raises_with_message(base_url: str) -> None:
    """A prompt with the failure marker ends failed; wait raises with task_status_msg."""
    task = create_task(connect(), CreateTaskRequest(prompt="please omni:fail"))
    with pytest.raises(TaskFailedError) as caught:
        wait_for_task(connect(), task.task_id, timeout=30, poll=0.05)
    assert caught.value.task_status_msg


def test_wait_times_out(base_url: str) -> None:
    """A zero timeout raises TaskTimeoutError after a single poll of a running task."""
    client = connect()
    task = create_task(client, CreateTaskRequest(prompt="slow enough"))
    try:
        wait_for_task(client, task.task_id, timeout=0)
    except TaskTimeoutError as timeout:
        assert timeout.task_id == task.task_id
    else:  # the task was already done at the first poll: it must then have succeeded
        assert get_task(client, task.task_id).task_status is TaskStatus.SUCCEED


def test_reference_image_from_pillow_is_accepted(base_url: str) -> None:
    """An in-memory Pillow image becomes a Base64 reference the server accepts."""
    reference = image_reference(Image.new("RGB", (640, 360), "navy"))
    body = CreateTaskRequest(prompt="like <<<image_1>>>", image_list=[reference])
    done = wait_for_task(connect(), create_task(connect(), body).task_id, timeout=30, poll=0.05)
    assert done.task_status is TaskStatus.SUCCEED


def test_async_create_and_wait(base_url: str) -> None:
    """The async client creates and waits for a task."""

    async def run() -> TaskStatus:
        async with connect_async() as client:
            task = await create_task_async(client, CreateTaskRequest(prompt="async"))
            done = await wait_for_task_async(client, task.task_id, timeout=30, poll=0.05)
            return done.task_status

    assert asyncio.run(run()) is TaskStatus.SUCCEED


CallbackFixture = tuple[str, list[Task], threading.Event]


@pytest.fixture
def callback_receiver() -> Iterator[CallbackFixture]:
    """A CallbackReceiver served by uvicorn on a loopback port in a thread."""
    received: list[Task] = []
    arrived = threading.Event()

    def on_task(task: Task) -> None:
        received.append(task)
        if task.task_status in (TaskStatus.SUCCEED, TaskStatus.FAILED):
            arrived.set()

    receiver = CallbackReceiver(on_task, secret=WEBHOOK_SECRET)
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/hooks/kling", received, arrived
    server.should_exit = True
    thread.join(10)


def test_signed_callbacks_are_verified_and_parsed(
    base_url: str, callback_receiver: CallbackFixture
) -> None:
    """The server's signed deliveries pass verification and the terminal task arrives, in order."""
    url, received, arrived = callback_receiver
    task = create_task(connect(), CreateTaskRequest(prompt="call me back", callback_url=url))
    assert arrived.wait(30)
    statuses = [seen.task_status.value for seen in received if seen.task_id == task.task_id]
    order = load_contract().rule("task-status-forward-only").params["order"]
    assert statuses[-1] == "succeed"
    assert statuses == sorted(statuses, key=order.index)


def test_pillow_jpeg_bytes_reference(base_url: str) -> None:
    """JPEG bytes are sent as raw Base64 and accepted."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 750), "olive").save(buffer, format="JPEG")
    body = CreateTaskRequest(prompt="tall", image_list=[image_reference(buffer.getvalue())])
    assert create_task(connect(), body).task_status is TaskStatus.SUBMITTED
