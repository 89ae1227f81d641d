"""Handle errors: typed API errors carry the HTTP status, business code, its spec meaning,
the server's message and request_id; a failed task raises TaskFailedError."""

from omni_image_client.models import CreateTaskRequest

from omni_client import (
    InvalidRequestError,
    NotFoundError,
    OmniApiError,
    TaskFailedError,
    connect,
    create_task,
    get_task,
    wait_for_task,
)

with connect() as client:
    try:
        get_task(client, "no-such-task")
    except NotFoundError as error:
        print(error.status, error.code, error.meaning, error.request_id)  # 404 1203 task not found

    try:
        create_task(client, CreateTaskRequest(prompt="ten is too many", n=10))
    except InvalidRequestError as error:
        print(error.code, error.message)  # 1201 ...

    try:
        # The reference server fails tasks whose prompt contains its failure marker.
        task = create_task(client, CreateTaskRequest(prompt="this one fails: omni:fail"))
        wait_for_task(client, task.task_id, timeout=60)
    except TaskFailedError as error:
        print("failed:", error.task_status_msg)
    except OmniApiError as error:  # every other API error
        print(error)
