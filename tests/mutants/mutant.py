"""A planted deviation: `Mutant(id, rule_id, area, description, apply)` and ways to build `apply`.

`apply(settings)` returns the mutated ASGI app. It either wraps the real `create_app(settings)`
in middleware (tests.mutants.asgi), starts it with changed settings, or replaces one attribute
(a rule function, a store method) before building the real app. Mutants only ever run inside
their own server subprocess (tests.mutants.serve_mutant), so a replaced attribute never leaks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from reference_server.app import create_app
from reference_server.config import ServerSettings
from tests.conformance.mutating_proxy import Mutation as ProxyMutation
from tests.mutants.asgi import Answer, AnswerEdit, Mutating, RequestEdit, Sent, tasks_in

AppFactory = Callable[[ServerSettings], ASGIApp]

# Areas of the contract the catalogue must cover (the detection test asserts each has a mutant).
AREAS = (
    "auth",
    "envelope",
    "method",
    "request-boundaries",
    "cross-field",
    "reference-images",
    "capability",
    "lifecycle",
    "results",
    "watermark",
    "identity",
    "isolation",
    "paging",
    "callbacks",
    "schema-shapes",
)


@dataclass(frozen=True)
class Mutant:
    """One deviation from one contract line; `rule_id` is the check that must catch it."""

    id: str
    rule_id: str
    area: str
    description: str
    apply: AppFactory


def wrapping(
    *, requests: RequestEdit | None = None, answers: AnswerEdit | None = None
) -> AppFactory:
    """The real app behind middleware editing requests and/or answers."""

    def apply(settings: ServerSettings) -> ASGIApp:
        return Mutating(create_app(settings), request_edit=requests, answer_edit=answers)

    return apply


def with_settings(**changes: Any) -> AppFactory:
    """The real app started with some settings changed (e.g. a wrong webhook secret)."""

    def apply(settings: ServerSettings) -> ASGIApp:
        return create_app(dataclasses.replace(settings, **changes))

    return apply


def patching(owner: object, name: str, make: Callable[[Any], Any]) -> AppFactory:
    """The real app with `owner.name` replaced by `make(original)` (a class or a module)."""

    def apply(settings: ServerSettings) -> ASGIApp:
        setattr(owner, name, make(getattr(owner, name)))
        return create_app(settings)

    return apply


def edit_tasks(edit: Callable[[Sent, dict[str, Any]], None]) -> AnswerEdit:
    """An AnswerEdit applying `edit` to every task object in API answers' data."""

    def answer_edit(sent: Sent, answer: Answer) -> Answer:
        body = answer.json()
        tasks = list(tasks_in(body))
        if not tasks:
            return answer
        for task in tasks:
            edit(sent, task)
        return answer.with_json(body)

    return answer_edit


def edit_envelopes(edit: Callable[[Sent, int, dict[str, Any]], int]) -> AnswerEdit:
    """An AnswerEdit on JSON envelopes: `edit(sent, status, body)` changes body, returns status."""

    def answer_edit(sent: Sent, answer: Answer) -> Answer:
        body = answer.json()
        if not isinstance(body, dict) or "code" not in body:
            return answer
        status = edit(sent, answer.status, body)
        return answer.with_json(body, status)

    return answer_edit


def edit_create_body(edit: Callable[[dict[str, Any]], dict[str, Any] | Answer]) -> RequestEdit:
    """A RequestEdit on create_task bodies that are JSON objects (others pass unchanged)."""
    import json

    def request_edit(sent: Sent) -> Sent | Answer:
        body = sent.json()
        if not sent.is_create or not isinstance(body, dict):
            return sent
        edited = edit(body)
        if isinstance(edited, Answer):
            return edited
        return dataclasses.replace(sent, body=json.dumps(edited).encode())

    return request_edit


def catalogue_index(mutants: list[Mutant]) -> Mapping[str, Mutant]:
    """Mutants by id; ValueError on a duplicate id."""
    index: dict[str, Mutant] = {}
    for mutant in mutants:
        if mutant.id in index:
            raise ValueError(f"mutant id {mutant.id!r} used twice")
        index[mutant.id] = mutant
    return index


def from_proxy_mutation(mutation: ProxyMutation) -> AnswerEdit:
    """Reuse a mutation of tests/conformance's mutating proxy (method, path?query, status, JSON)."""

    def answer_edit(sent: Sent, answer: Answer) -> Answer:
        path = sent.path + (f"?{sent.query}" if sent.query else "")
        body = answer.json()
        status, edited = mutation(sent.method, path, answer.status, body)
        if edited is None:
            return dataclasses.replace(answer, status=status)
        return answer.with_json(edited, status)

    return answer_edit
