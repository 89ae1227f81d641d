"""ASGI middleware that plants one deviation in the real reference server's traffic.

A mutant edits what the client sent before the server sees it (`RequestEdit`, which may also
answer by itself) or what the server answered before the client sees it (`AnswerEdit`). Bodies are
buffered whole: mutants serve tests, not throughput.

>>> app = Mutating(create_app(settings), answer_edit=lambda sent, answer: answer)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PATH = "/v1/images/omni-image"


@dataclass(frozen=True)
class Sent:
    """The request as the client sent it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def is_create(self) -> bool:
        """POST create_task."""
        return self.method == "POST" and self.path == API_PATH

    @property
    def is_list(self) -> bool:
        """GET list_tasks."""
        return self.method == "GET" and self.path == API_PATH

    @property
    def is_get(self) -> bool:
        """GET get_task."""
        return self.method == "GET" and self.path.startswith(API_PATH + "/")


@dataclass
class Answer:
    """A response: status, lower-case headers and the raw body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    def with_json(self, value: Any, status: int | None = None) -> Answer:
        """The same answer carrying `value` as its JSON body."""
        return replace(
            self, status=self.status if status is None else status, body=json.dumps(value).encode()
        )


RequestEdit = Callable[[Sent], "Sent | Answer"]
AnswerEdit = Callable[[Sent, Answer], Answer]


def error_answer(status: int, code: int, message: str) -> Answer:
    """An error envelope the way the contract shapes it."""
    body = {"code": code, "message": message, "request_id": "mutant-request-id"}
    return Answer(status, {"content-type": "application/json"}, json.dumps(body).encode())


def tasks_in(body: Any) -> Iterator[dict[str, Any]]:
    """Every task object in an envelope's data (one task or a page of them)."""
    data = body.get("data") if isinstance(body, dict) else None
    items = data if isinstance(data, list) else [data]
    yield from (item for item in items if isinstance(item, dict) and "task_status" in item)


class Mutating:
    """Wraps an ASGI app; lifespan and other non-HTTP scopes pass through untouched."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        request_edit: RequestEdit | None = None,
        answer_edit: AnswerEdit | None = None,
    ) -> None:
        self.app = app
        self.request_edit = request_edit
        self.answer_edit = answer_edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        sent = Sent(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body,
        )
        if self.request_edit is not None:
            edited = self.request_edit(sent)
            if isinstance(edited, Answer):
                await _send_answer(send, edited)
                return
            sent = edited
        # No zero-copy file sending: the answer must pass through `answer_edit` as bytes.
        inner_scope = dict(scope, extensions={}, method=sent.method, headers=_raw_headers(sent))
        inner_scope["query_string"] = sent.query.encode("latin-1")
        answer = await _call(self.app, inner_scope, _replay(sent.body, receive))
        if self.answer_edit is not None:
            answer = self.answer_edit(sent, answer)
        await _send_answer(send, answer)


def _raw_headers(sent: Sent) -> list[tuple[bytes, bytes]]:
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in sent.headers.items()
        if name != "content-length"
    ]
    if sent.body or "content-length" in sent.headers:
        headers.append((b"content-length", str(len(sent.body)).encode()))
    return headers


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _call(app: ASGIApp, scope: Scope, receive: Receive) -> Answer:
    answer = Answer(500)
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]
            }
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    answer.body = b"".join(chunks)
    return answer


async def _send_answer(send: Send, answer: Answer) -> None:
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in answer.headers.items()
        if name != "content-length"
    ]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
