"""Mutants of tasks: lifecycle, results (shape, geometry, downloads), watermark, identity, user
isolation and paging."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from reference_server import task_creation
from reference_server.store import TASK_COLUMNS, TaskRecord, record_from_row
from reference_server.store_sqlite import SqliteTaskStore
from tests.conformance.test_planted_bugs import (
    _list_oldest_first,
    _other_users_task_visible,
    _times_in_seconds,
    _watermark_dropped,
)
from tests.mutants.asgi import Answer, Sent, error_answer
from tests.mutants.mutant import (
    Mutant,
    edit_create_body,
    edit_tasks,
    from_proxy_mutation,
    patching,
    with_settings,
    wrapping,
)

RESULTS_PATH = "/results/"


def _items(task: dict[str, Any]) -> list[dict[str, Any]]:
    result = task["task_result"]
    return [*result["images"], *result["series_images"]]


def _terminal_flaps_back() -> Callable[[Sent, dict[str, Any]], None]:
    seen_succeed: set[str] = set()

    def edit(sent: Sent, task: dict[str, Any]) -> None:
        # The first read of `succeed` is honest; later reads say `processing` again.
        if task["task_status"] == "succeed" and sent.is_get:
            if task["task_id"] in seen_succeed:
                task["task_status"] = "processing"
                task["task_result"]["images"], task["task_result"]["series_images"] = [], []
            seen_succeed.add(task["task_id"])

    return edit


def _failed_without_message(sent: Sent, task: dict[str, Any]) -> None:
    if task["task_status"] == "failed":
        task["task_status_msg"] = ""


def _results_before_succeed(sent: Sent, task: dict[str, Any]) -> None:
    if task["task_status"] != "succeed":
        task["task_result"]["images"] = [{"index": 0, "url": "http://127.0.0.1:9/pending.png"}]


def _external_id_empty(sent: Sent, task: dict[str, Any]) -> None:
    if task["task_info"]["external_task_id"] is None:
        task["task_info"]["external_task_id"] = ""


def _one_result_short(sent: Sent, task: dict[str, Any]) -> None:
    for name in ("images", "series_images"):
        if len(task["task_result"][name]) >= 2:
            task["task_result"][name].pop()


def _indexes_from_one(sent: Sent, task: dict[str, Any]) -> None:
    for item in _items(task):
        item["index"] += 1


def _series_in_images(sent: Sent, task: dict[str, Any]) -> None:
    result = task["task_result"]
    if result["series_images"]:
        result["images"], result["series_images"] = result["series_images"], []


def _watermark_always(sent: Sent, task: dict[str, Any]) -> None:
    for item in _items(task):
        item.setdefault("watermark_url", item["url"])


def _watermark_url_broken(sent: Sent, task: dict[str, Any]) -> None:
    for item in _items(task):
        if "watermark_url" in item:
            item["watermark_url"] = item["watermark_url"].replace("-wm.png", "-wm-gone.png")


def _download_needs_auth(sent: Sent) -> Sent | Answer:
    if sent.path.startswith(RESULTS_PATH) and "authorization" not in sent.headers:
        return error_answer(401, 1001, "Authorization header is missing")
    return sent


def _download_as_octet_stream(sent: Sent, answer: Answer) -> Answer:
    if sent.path.startswith(RESULTS_PATH) and answer.status == 200:
        headers = answer.headers | {"content-type": "application/octet-stream"}
        return dataclasses.replace(answer, headers=headers)
    return answer


def _default_n_two(body: dict[str, Any]) -> dict[str, Any] | Answer:
    body.setdefault("n", 2)
    return body


def _ratio_swapped(original: Callable[[str, str], tuple[int, int, int]]) -> Any:
    def result_size(ratio: str, resolution: str) -> tuple[int, int, int]:
        width, height, pixels = original(ratio, resolution)
        return height, width, pixels

    return result_size


def _resolution_ignored(original: Callable[[str, str], tuple[int, int, int]]) -> Any:
    return lambda ratio, resolution: original(ratio, "1k")


def _auto_ignores_reference(original: Callable[[str, Any], str]) -> Any:
    return lambda ratio, first_reference: original(ratio, None)


def _external_id_wins(original: Any) -> Any:
    def find(self: SqliteTaskStore, user: str, task_or_external_id: str) -> TaskRecord | None:
        for task in self.page(user, 1, 500):
            if task.external_task_id == task_or_external_id:
                return task
        found: TaskRecord | None = original(self, user, task_or_external_id)
        return found

    return find


def _task_id_only(original: Any) -> Any:
    def find(self: SqliteTaskStore, user: str, task_or_external_id: str) -> TaskRecord | None:
        task = self.get(task_or_external_id)
        return task if task is not None and task.user == user else None

    return find


def _any_users_task(original: Any) -> Any:
    def find(self: SqliteTaskStore, user: str, task_or_external_id: str) -> TaskRecord | None:
        found: TaskRecord | None = original(self, user, task_or_external_id)
        return found or self.get(task_or_external_id)

    return find


def _external_id_taken_by_anyone(original: Any) -> Any:
    def taken(self: SqliteTaskStore, user: str, external_task_id: str) -> bool:
        row = (
            self._reader()
            .execute("SELECT 1 FROM tasks WHERE external_task_id = ?", (external_task_id,))
            .fetchone()
        )
        return row is not None

    return taken


def _page_of_every_user(original: Any) -> Any:
    def page(self: SqliteTaskStore, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        rows = (
            self._reader()
            .execute(
                f"SELECT {TASK_COLUMNS} FROM tasks ORDER BY created_at DESC, task_id DESC "
                "LIMIT ? OFFSET ?",
                (page_size, (page_num - 1) * page_size),
            )
            .fetchall()
        )
        return [record_from_row(row) for row in rows]

    return page


def _page_size_capped(sent: Sent) -> Sent | Answer:
    size = parse_qs(sent.query).get("pageSize", [""])[0]
    if sent.is_list and size.isdigit() and int(size) > 100:
        return error_answer(400, 1201, "pageSize: at most 100")
    return sent


def _default_page_size_ten(sent: Sent) -> Sent | Answer:
    if sent.is_list and "pageSize" not in parse_qs(sent.query):
        query = "&".join(filter(None, [sent.query, "pageSize=10"]))
        return dataclasses.replace(sent, query=query)
    return sent


def _pages_overlap(original: Any) -> Any:
    def page(self: SqliteTaskStore, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        if page_num == 1:
            result: list[TaskRecord] = original(self, user, 1, page_size)
            return result
        # Each later page starts one task early: it repeats the previous page's last task.
        longer: list[TaskRecord] = original(self, user, 1, page_num * page_size)
        start = (page_num - 1) * page_size - 1
        return longer[start : start + page_size]

    return page


TASK_MUTANTS = [
    Mutant(
        "status-terminal-flaps-back",
        "task-status-forward-only",
        "lifecycle",
        "a succeeded task reads processing again on later GETs",
        wrapping(answers=edit_tasks(_terminal_flaps_back())),
    ),
    Mutant(
        "failed-without-message",
        "failed-has-message",
        "lifecycle",
        "a failed task has an empty task_status_msg",
        wrapping(answers=edit_tasks(_failed_without_message)),
    ),
    Mutant(
        "failure-marker-ignored",
        "failed-has-message",
        "lifecycle",
        "no task ever ends failed (the failure prompt succeeds)",
        with_settings(failure_marker=""),
    ),
    Mutant(
        "times-in-seconds",
        "times-in-milliseconds",
        "lifecycle",
        "created_at/updated_at in seconds",
        wrapping(answers=from_proxy_mutation(_times_in_seconds)),
    ),
    Mutant(
        "results-before-succeed",
        "task-result-empty-until-succeed",
        "lifecycle",
        "unfinished tasks already list a result image",
        wrapping(answers=edit_tasks(_results_before_succeed)),
    ),
    Mutant(
        "external-id-empty-not-null",
        "task-result-empty-until-succeed",
        "identity",
        "task_info.external_task_id is '' instead of null when none was given",
        wrapping(answers=edit_tasks(_external_id_empty)),
    ),
    Mutant(
        "results-one-short",
        "task-result-shape",
        "results",
        "a task of n >= 2 results lists n - 1",
        wrapping(answers=edit_tasks(_one_result_short)),
    ),
    Mutant(
        "results-indexed-from-one",
        "task-result-shape",
        "results",
        "result indexes start at 1",
        wrapping(answers=edit_tasks(_indexes_from_one)),
    ),
    Mutant(
        "series-results-in-images",
        "task-result-shape",
        "results",
        "series results are listed in images instead of series_images",
        wrapping(answers=edit_tasks(_series_in_images)),
    ),
    Mutant(
        "download-needs-auth",
        "result-image-download",
        "results",
        "result image URLs need an Authorization header",
        wrapping(requests=_download_needs_auth),
    ),
    Mutant(
        "download-octet-stream",
        "result-image-download",
        "results",
        "result images are served as application/octet-stream",
        wrapping(answers=_download_as_octet_stream),
    ),
    Mutant(
        "geometry-ratio-swapped",
        "result-image-geometry",
        "results",
        "results are height x width (16:9 comes out 9:16)",
        patching(task_creation, "result_size", _ratio_swapped),
    ),
    Mutant(
        "geometry-resolution-ignored",
        "result-image-geometry",
        "results",
        "every result is 1k whatever the resolution",
        patching(task_creation, "result_size", _resolution_ignored),
    ),
    Mutant(
        "geometry-auto-ignores-reference",
        "result-image-geometry",
        "results",
        "aspect_ratio auto is 1:1 even with a reference image",
        patching(task_creation, "resolve_aspect_ratio", _auto_ignores_reference),
    ),
    Mutant(
        "default-n-two",
        "schema-defaults",
        "results",
        "n defaults to 2",
        wrapping(requests=edit_create_body(_default_n_two)),
    ),
    Mutant(
        "watermark-url-dropped",
        "watermark-url-iff-enabled",
        "watermark",
        "watermark_url missing although watermarking is enabled",
        wrapping(answers=from_proxy_mutation(_watermark_dropped)),
    ),
    Mutant(
        "watermark-url-always",
        "watermark-url-iff-enabled",
        "watermark",
        "watermark_url present although watermarking is off",
        wrapping(answers=edit_tasks(_watermark_always)),
    ),
    Mutant(
        "watermark-url-broken",
        "watermark-url-iff-enabled",
        "watermark",
        "watermark_url does not serve an image",
        wrapping(answers=edit_tasks(_watermark_url_broken)),
    ),
    Mutant(
        "lookup-external-id-wins",
        "task-lookup-by-either-id",
        "identity",
        "an external_task_id match wins over a task_id match",
        patching(SqliteTaskStore, "find", _external_id_wins),
    ),
    Mutant(
        "lookup-by-task-id-only",
        "task-lookup-by-either-id",
        "identity",
        "get_task does not find a task by its external_task_id",
        patching(SqliteTaskStore, "find", _task_id_only),
    ),
    Mutant(
        "external-id-reuse-accepted",
        "external-task-id-unique",
        "identity",
        "a used external_task_id is accepted again",
        patching(task_creation, "external_task_id_unique", lambda original: lambda *a: None),
    ),
    Mutant(
        "external-id-unique-across-users",
        "external-task-id-unique",
        "identity",
        "an external_task_id used by another user is refused",
        patching(SqliteTaskStore, "external_id_taken", _external_id_taken_by_anyone),
    ),
    Mutant(
        "isolation-403",
        "user-isolation",
        "isolation",
        "another user's task is 403 (revealing it exists) instead of 404/1203",
        wrapping(answers=from_proxy_mutation(_other_users_task_visible)),
    ),
    Mutant(
        "isolation-get-any-user",
        "user-isolation",
        "isolation",
        "get_task shows another user's task by task_id",
        patching(SqliteTaskStore, "find", _any_users_task),
    ),
    Mutant(
        "isolation-list-every-user",
        "user-isolation",
        "isolation",
        "the first list page also holds other users' tasks",
        patching(SqliteTaskStore, "page", _page_of_every_user),
    ),
    Mutant(
        "list-oldest-first",
        "list-newest-first",
        "paging",
        "the list is oldest first",
        wrapping(answers=from_proxy_mutation(_list_oldest_first)),
    ),
    Mutant(
        "list-pages-overlap",
        "list-newest-first",
        "paging",
        "each page after the first repeats the previous page's last task",
        patching(SqliteTaskStore, "page", _pages_overlap),
    ),
    Mutant(
        "list-page-size-capped-100",
        "list-paging-parameters",
        "paging",
        "pageSize above 100 refused (the spec allows up to 500)",
        wrapping(requests=_page_size_capped),
    ),
    Mutant(
        "list-default-page-size-10",
        "list-paging-parameters",
        "paging",
        "pageSize defaults to 10 instead of the spec's default",
        wrapping(requests=_default_page_size_ten),
    ),
]
