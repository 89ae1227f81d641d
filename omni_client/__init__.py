"""The hand-written client layer over the generated `omni_image_client`.

It adds what a generator cannot: Kling JWT signing (`KlingJWTAuth`) or API keys (`ApiKeyAuth`), a
one-call `connect()`, typed errors carrying the spec's meaning of each business code, waiting for
a task, retries of what the spec marks retryable (`connect(max_retries=N)`), Standard Webhooks
callback verification, reference image checks against the spec's rules,
and the `omni-image` CLI. Rules and numbers are read from `openapi.yaml` through `omni_spec`. It
imports `omni_spec` and `omni_image_client` only.

>>> from omni_client import connect, create_task, wait_for_task  # doctest: +SKIP
>>> from omni_image_client.models import CreateTaskRequest  # doctest: +SKIP
>>> client = connect()  # $OMNI_BASE_URL, else the local reference server with development keys
>>> task = create_task(client, CreateTaskRequest(prompt="A lighthouse at dawn"))  # doctest: +SKIP
>>> done = wait_for_task(client, task.task_id, timeout=60)  # doctest: +SKIP
>>> [image.url for image in done.task_result.images]  # doctest: +SKIP
['http://127.0.0.1:8000/results/.../0.png']
"""

from omni_client.auth import ApiKeyAuth, KlingJWTAuth
from omni_client.calls import (
    create_task,
    create_task_async,
    get_task,
    get_task_async,
    list_tasks,
    list_tasks_async,
)
from omni_client.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    OmniApiError,
    OmniClientError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    UnexpectedResponseError,
    task_from_response,
    tasks_from_response,
)
from omni_client.factory import ConfigurationError, connect, connect_async, resolve_settings
from omni_client.reference_images import (
    ReferenceImageError,
    check_reference_count,
    image_list,
    image_reference,
)
from omni_client.results import ResultDownloadError, download_results
from omni_client.retries import RetryEvent, RetryingClient, RetryPolicy
from omni_client.waiting import wait_for_task, wait_for_task_async
from omni_client.webhooks import (
    CallbackPayloadError,
    CallbackReceiver,
    WebhookSignatureError,
    WebhookVerifier,
    parse_task,
    verify_signature,
)

__all__ = [
    "ApiKeyAuth",
    "AuthenticationError",
    "CallbackPayloadError",
    "CallbackReceiver",
    "ConfigurationError",
    "InvalidRequestError",
    "KlingJWTAuth",
    "NotFoundError",
    "OmniApiError",
    "OmniClientError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReferenceImageError",
    "ResultDownloadError",
    "RetryEvent",
    "RetryPolicy",
    "RetryingClient",
    "ServerError",
    "TaskFailedError",
    "TaskTimeoutError",
    "UnexpectedResponseError",
    "WebhookSignatureError",
    "WebhookVerifier",
    "check_reference_count",
    "connect",
    "connect_async",
    "create_task",
    "create_task_async",
    "download_results",
    "get_task",
    "get_task_async",
    "image_list",
    "image_reference",
    "list_tasks",
    "list_tasks_async",
    "parse_task",
    "resolve_settings",
    "task_from_response",
    "tasks_from_response",
    "verify_signature",
    "wait_for_task",
    "wait_for_task_async",
]
