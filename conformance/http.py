"""HTTP access to the server under test: every call is recorded as an `Exchange` for evidence."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from conformance.curl import redact_header, render_curl
from conformance.tokens import TokenSource
from omni_spec import Contract, load_contract

MAX_SHOWN_BODY = 1500
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class OperationPaths:
    """The spec's path of each operation the suite calls (openapi.yaml `paths`)."""

    create: str
    list: str
    get_template: str  # one path parameter, e.g. `/v1/images/omni-image/{id}`

    @classmethod
    def from_contract(cls, contract: Contract) -> OperationPaths:
        """Read by operationId, so a path change in the spec moves the suite with it."""
        return cls(
            create=contract.operation("create_task")[1],
            list=contract.operation("list_tasks")[1],
            get_template=contract.operation("get_task")[1],
        )

    def get(self, task_id: str) -> str:
        """get_task's path for task_id (percent-encoded as one path segment)."""
        return PATH_PARAMETER.sub(lambda _: quote(task_id, safe=""), self.get_template, count=1)


class Unset:
    """Marker: send the user's own valid `Authorization` header."""


USER_AUTH = Unset()


def _shorten(text: str) -> str:
    if len(text) <= MAX_SHOWN_BODY:
        return text
    return f"{text[:MAX_SHOWN_BODY]}... ({len(text)} characters)"


@dataclass
class Exchange:
    """One request and the answer to it (or the transport error instead of an answer)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    transport_error: str = ""

    @property
    def content_type(self) -> str:
        """The response's media type without parameters, lower case."""
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The response body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.response_body)
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def code(self) -> Any:
        """The envelope's business `code`, or None."""
        body = self.json()
        return body.get("code") if isinstance(body, dict) else None

    @property
    def data(self) -> Any:
        """The envelope's `data`, or None."""
        body = self.json()
        return body.get("data") if isinstance(body, dict) else None

    def sent(self) -> str:
        """Request line, headers that matter (redacted) and body, for reports."""
        lines = [f"{self.method} {self.url}"]
        for name, value in self.request_headers.items():
            if name.lower() in ("authorization", "content-type"):
                lines.append(f"{name}: {redact_header(name, value)}")
        if self.request_body:
            lines.append(_shorten(self.request_body.decode("utf-8", errors="replace")))
        return "\n".join(lines)

    def received(self) -> str:
        """Status, content type and body, for reports."""
        if self.transport_error:
            return f"no HTTP answer: {self.transport_error}"
        body = self.response_body.decode("utf-8", errors="replace")
        return f"HTTP {self.status} ({self.content_type or 'no content type'})\n{_shorten(body)}"

    def curl(self) -> str:
        """A curl line reproducing the request (secrets redacted)."""
        return render_curl(self.method, self.url, self.request_headers, self.request_body)


class ApiClient:
    """One user's view of the API: signs its own JWTs, records exchanges."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource | None,
        *,
        timeout: float,
        api_key: str | None = None,
        contract: Contract | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.paths = OperationPaths.from_contract(contract or load_contract())
        self.tokens = tokens
        self.api_key = api_key
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)
        # Digest of every create body sent, with per-run values (run nonce, receiver origin)
        # masked: equal digests for equal seeds prove the run is deterministic.
        self.volatile: tuple[str, ...] = ()
        self._bodies = hashlib.sha256()

    @property
    def bodies_digest(self) -> str:
        """sha256 of the create bodies sent so far, per-run values masked."""
        return self._bodies.hexdigest()

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def auth_header(self) -> str:
        """`Bearer <fresh JWT>`, or `Bearer <api key>` when the client has no keys."""
        if self.tokens is not None:
            return f"Bearer {self.tokens.token()}"
        return f"Bearer {self.api_key}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        authorization: str | Unset | None = USER_AUTH,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one request; `authorization=None` sends no Authorization header."""
        request_headers: dict[str, str] = {}
        if isinstance(authorization, Unset):
            request_headers["Authorization"] = self.auth_header()
        elif authorization is not None:
            request_headers["Authorization"] = authorization
        body = content
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            request_headers["Content-Type"] = "application/json"
        request_headers.update(headers or {})
        url = httpx.URL(self.base_url + path, params=dict(params) if params else None)
        return self._send(Exchange(method, str(url), request_headers, body))

    def _send(self, exchange: Exchange) -> Exchange:
        """Send `exchange`'s request and record the answer (or the transport error) in it."""
        try:
            response = self._http.request(
                exchange.method,
                exchange.url,
                headers=exchange.request_headers,
                content=exchange.request_body,
            )
        except httpx.HTTPError as exc:
            exchange.transport_error = f"{type(exc).__name__}: {exc}"
            return exchange
        exchange.status = response.status_code
        exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
        exchange.response_body = response.content
        return exchange

    def create(self, body: Any, **kwargs: Any) -> Exchange:
        """POST the create endpoint with a JSON body."""
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        for value in self.volatile:
            text = text.replace(value, "<per-run>")
        self._bodies.update(text.encode("utf-8") + b"\n")
        return self.request("POST", self.paths.create, json_body=body, **kwargs)

    def get(self, task_id: str, **kwargs: Any) -> Exchange:
        """GET one task by task_id or external_task_id."""
        return self.request("GET", self.paths.get(task_id), **kwargs)

    def list(self, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Exchange:
        """GET one page of the list."""
        return self.request("GET", self.paths.list, params=params, **kwargs)

    def download(self, url: str) -> Exchange:
        """Plain GET of a result URL, without any Authorization header."""
        return self._send(Exchange("GET", url, {}, None))
