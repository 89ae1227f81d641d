"""The ASGI app: routes from openapi.yaml's paths, method check before auth, envelope everywhere.

Order of checks for an API request (contract "Authentication", rule `method-not-supported`):
known path? (else 404) -> method of that path in the spec? (else 404/1202, token or not) ->
authentication (401/1000..1004) -> the operation. Result images live outside the API at
`/results/...`: plain unauthenticated GETs (rule `result-image-download`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import anyio
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from omni_spec import load_contract
from reference_server import codes
from reference_server.auth import authenticate
from reference_server.callbacks import CallbackDispatcher
from reference_server.config import ServerSettings
from reference_server.envelope import (
    ApiError,
    error_response,
    new_request_id,
    success_response,
)
from reference_server.http_protocol import MAX_HEADER_BYTES, header_bytes, headers_too_large
from reference_server.request_validation import PageQuery, max_body_bytes
from reference_server.result_images import parse_result_name, result_file
from reference_server.store import TaskStore
from reference_server.store_open import open_store
from reference_server.task_creation import TaskCreator
from reference_server.task_ids import TaskIdGenerator
from reference_server.task_view import SUCCEED, task_json
from reference_server.url_fetch import HostPolicy, policy_client
from reference_server.worker import LifecycleWorker

log = logging.getLogger(__name__)
# Bodies above this size (a few big Base64 images) are read and parsed two at a time at most.
LARGE_BODY_BYTES = 4 * 1024 * 1024
LARGE_BODY_SLOTS = 2
_large_bodies = anyio.CapacityLimiter(LARGE_BODY_SLOTS)
PAGE_OFFLOAD_OFFSET = 5_000  # rows skipped beyond which a list query runs in a worker thread
Operation = Callable[[Request, str], Awaitable[object]]


@dataclass
class ServerState:
    settings: ServerSettings
    store: TaskStore
    creator: TaskCreator
    pages: PageQuery
    body_limit: int


def create_app(settings: ServerSettings) -> Starlette:
    """The reference server as an ASGI app; its lifespan runs the worker and the callback sender."""
    contract = load_contract()
    store = open_store(settings.store_location)
    http = policy_client(
        HostPolicy(settings.url_policy), settings.url_fetch_max_redirects, settings.callback_timeout
    )
    state = ServerState(
        settings=settings,
        store=store,
        creator=TaskCreator(settings, store, _id_generator(store), http),
        pages=PageQuery(),
        body_limit=max_body_bytes(),
    )
    operations: dict[str, Operation] = {
        "create_task": lambda request, user: _create_task(state, request, user),
        "get_task": lambda request, user: _get_task(state, request, user),
        "list_tasks": lambda request, user: _list_tasks(state, request, user),
    }
    routes = [
        Route(
            _route_path(path),
            AnyMethod(_api_endpoint(state, _operations_of(item, operations))),
        )
        for path, item in contract.document["paths"].items()
    ]
    routes.append(Route("/results/{task_id}/{name}", AnyMethod(_result_endpoint(state))))
    routes.append(Route("/{rest:anything}", AnyMethod(_unknown_path)))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        worker = LifecycleWorker(store, settings.step_delay, settings.public_url)
        dispatcher = CallbackDispatcher(
            store,
            http,
            webhook_secrets=settings.webhook_secrets,
            max_attempts=settings.callback_max_attempts,
            retry_base=settings.callback_retry_base,
            timeout=settings.callback_timeout,
        )
        async with anyio.create_task_group() as group:
            group.start_soon(worker.run)
            group.start_soon(dispatcher.run)
            yield
            group.cancel_scope.cancel()
        await http.aclose()
        store.close()

    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={Exception: _server_error, HTTPException: _http_error},
    )


def _id_generator(store: TaskStore) -> TaskIdGenerator:
    """This process's ids: above every stored one, in a slot no other live process holds."""
    return TaskIdGenerator(store.max_task_id(), store.claim_id_slot())


class AnyMethod:
    """An ASGI endpoint for every HTTP method: Starlette would answer 405 itself otherwise,
    and the contract wants 404/1202 with an envelope (rule `method-not-supported`)."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)


class AnythingConvertor(Convertor[str]):
    """Like Starlette's `path`, but also across newlines (`.` stops at a decoded %0A)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", AnythingConvertor())


def _route_path(spec_path: str) -> str:
    # A path id may hold any characters, '/' and newlines included: all reach the lookup.
    return spec_path.replace("{id}", "{id:anything}")


def _operations_of(
    item: Mapping[str, object], handlers: Mapping[str, Operation]
) -> dict[str, Operation]:
    operations: dict[str, Operation] = {}
    for method, operation in item.items():
        if isinstance(operation, Mapping) and "operationId" in operation:
            operations[method.upper()] = handlers[str(operation["operationId"])]
    return operations


def _api_endpoint(
    state: ServerState, operations: Mapping[str, Operation]
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = new_request_id()
        try:
            size = header_bytes(request.scope["headers"])
            if size > MAX_HEADER_BYTES:
                raise headers_too_large(size)
            operation = operations.get(request.method)
            if operation is None:  # before authentication [decided]
                raise ApiError(
                    codes.METHOD_NOT_SUPPORTED,
                    f"method {request.method} is not supported on this path",
                )
            settings = state.settings
            user = authenticate(
                request.headers.get("authorization"),
                settings.users,
                settings.api_keys,
                settings.jwt_leeway_seconds,
                settings.jwt_max_lifetime_seconds,
            )
            return success_response(await operation(request, user), request_id)
        except ApiError as error:
            return error_response(error, request_id)

    return endpoint


async def _create_task(state: ServerState, request: Request, user: str) -> object:
    async with AsyncExitStack() as stack:
        raw = await _read_body(request, state.body_limit, stack)
        task = await state.creator.create(user, raw)
    return task_json(task, state.settings.public_url)


async def _get_task(state: ServerState, request: Request, user: str) -> object:
    task_or_external_id = str(request.path_params["id"])
    task = state.store.find(user, task_or_external_id)
    if task is None:
        shown = task_or_external_id if len(task_or_external_id) <= 80 else "(long id)"
        raise ApiError(codes.NOT_FOUND, f"task {shown!r} not found")
    return task_json(task, state.settings.public_url)


async def _list_tasks(state: ServerState, request: Request, user: str) -> object:
    page_num, page_size = state.pages.parse(request.query_params)
    if (page_num - 1) * page_size > PAGE_OFFLOAD_OFFSET:
        # A deep OFFSET walks that many index entries (~0.1-0.3 s at a million tasks): off the
        # event loop, on the worker thread's own read connection.
        tasks = await anyio.to_thread.run_sync(state.store.page, user, page_num, page_size)
    else:
        tasks = state.store.page(user, page_num, page_size)
    return [task_json(task, state.settings.public_url) for task in tasks]


async def _read_body(request: Request, limit: int, stack: AsyncExitStack) -> bytearray:
    """The body, refusing (400/1200) as soon as it grows past the limit; never buffered beyond.

    A body past LARGE_BODY_BYTES takes one of LARGE_BODY_SLOTS for the rest of the request
    (`stack`), so memory stays bounded by slots x limit however many clients send big bodies.
    """
    declared = request.headers.get("content-length", "")
    too_big = ApiError(
        codes.BODY_MALFORMED, f"body is larger than {limit} bytes, the largest valid request"
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    # One growing buffer, not a list of chunks: a big one lives in a single mapping that goes
    # back to the system when freed, instead of fragmenting the heap between requests.
    body = bytearray()
    large = False
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            body.clear()  # free it now: the raised error's traceback keeps this frame alive
            raise too_big
        if len(body) + len(chunk) > LARGE_BODY_BYTES and not large:
            large = True
            await stack.enter_async_context(_large_bodies)
        body += chunk
    return body  # bytes-like; parsed in place, never copied


def _result_endpoint(state: ServerState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = new_request_id()
        if request.method not in ("GET", "HEAD"):
            return error_response(
                ApiError(
                    codes.METHOD_NOT_SUPPORTED,
                    f"method {request.method} is not supported on this path",
                ),
                request_id,
            )
        parsed = parse_result_name(str(request.path_params["name"]))
        task = state.store.get(str(request.path_params["task_id"]))
        if (
            parsed is None
            or task is None
            or task.status != SUCCEED
            or parsed[0] >= task.result_count
            or (parsed[1] and not task.watermark)
        ):
            return error_response(ApiError(codes.NOT_FOUND, "result image not found"), request_id)
        path = await result_file(task, parsed[0], parsed[1], state.settings.results_dir)
        return FileResponse(path, media_type="image/png", headers={"x-request-id": request_id})

    return endpoint


async def _unknown_path(request: Request) -> Response:
    return error_response(
        ApiError(codes.METHOD_NOT_SUPPORTED, f"no operation at {request.url.path[:200]!r}"),
        new_request_id(),
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    # Safety net: whatever Starlette itself would answer in plain text becomes an envelope.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: codes.METHOD_NOT_SUPPORTED, 405: codes.METHOD_NOT_SUPPORTED}.get(
        status, codes.BODY_MALFORMED if status < 500 else codes.SERVER_ERROR
    )
    return error_response(ApiError(code, "no operation at this path"), new_request_id())


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ApiError(codes.SERVER_ERROR, "internal server error"), new_request_id())
