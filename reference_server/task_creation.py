"""create_task: from a raw body to a stored `submitted` task, every contract rule on the way."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import anyio
import httpx

from omni_spec import load_contract
from reference_server.config import ServerSettings
from reference_server.create_request import CreateTaskInput
from reference_server.geometry import resolve_aspect_ratio, result_size
from reference_server.reference_images import (
    inspect_reference_image,
    max_image_bytes,
    reference_image_base64,
)
from reference_server.request_validation import parse_json_object, validate_create_body
from reference_server.rules import check_body_rules, external_task_id_unique
from reference_server.store import (
    DuplicateExternalIdError,
    DuplicateTaskIdError,
    TaskRecord,
    TaskStore,
)
from reference_server.task_ids import TaskIdGenerator
from reference_server.task_view import SUBMITTED
from reference_server.url_fetch import check_url_is_valid, fetch_reference_image, is_http_url
from reference_server.worker import now_ms

# Work bigger than this (body bytes, Base64 characters) runs in a thread, off the event loop.
OFFLOAD_THRESHOLD = 256 * 1024
ID_ATTEMPTS = 5  # ids are unique per process slot; a slot clash (>1,000 process starts) retries


@dataclass
class TaskCreator:
    settings: ServerSettings
    store: TaskStore
    ids: TaskIdGenerator
    http: httpx.AsyncClient

    async def create(self, user: str, raw_body: bytes | bytearray) -> TaskRecord:
        if len(raw_body) > OFFLOAD_THRESHOLD:
            body = await anyio.to_thread.run_sync(parse_json_object, raw_body)
        else:
            body = parse_json_object(raw_body)
        validate_create_body(body)
        request = CreateTaskInput.from_body(body)
        check_body_rules(request, self.settings.element_ids)
        if request.callback_url is not None:
            check_url_is_valid(request.callback_url, "callback_url")
        if request.external_task_id is not None:
            taken = self.store.external_id_taken(user, request.external_task_id)
            external_task_id_unique(request, taken)
        sizes = await self.reference_sizes(request.images)
        task = self.new_task(user, request, sizes[0] if sizes else None)
        try:
            return self._insert(task)
        except DuplicateExternalIdError:
            external_task_id_unique(request, already_used=True)
            raise  # not reached: the rule raises

    def _insert(self, task: TaskRecord) -> TaskRecord:
        """Store the task; on the (rare) clash with another process's id, under a fresh id."""
        for _ in range(ID_ATTEMPTS - 1):
            try:
                self.store.insert(task)
                return task
            except DuplicateTaskIdError:
                task = replace(task, task_id=self.ids.next_id(now_ms()))
        self.store.insert(task)
        return task

    async def reference_sizes(self, images: tuple[str, ...]) -> list[tuple[int, int]]:
        """(width, height) of every reference image, checked against the content rules."""
        sizes: list[tuple[int, int]] = []
        for index, image in enumerate(images):
            where = f"image_list[{index}].image"
            if is_http_url(image):
                check_url_is_valid(image, where)
                data = await fetch_reference_image(
                    self.http,
                    image,
                    where,
                    max_image_bytes(),
                    self.settings.url_fetch_timeout,
                )
                sizes.append(inspect_reference_image(data, where))
            elif len(image) > OFFLOAD_THRESHOLD:
                sizes.append(await anyio.to_thread.run_sync(_inspect_base64, image, where))
            else:
                sizes.append(_inspect_base64(image, where))
        return sizes

    def new_task(
        self, user: str, request: CreateTaskInput, first_reference: tuple[int, int] | None
    ) -> TaskRecord:
        ratio = resolve_aspect_ratio(request.aspect_ratio, first_reference)
        width, height, pixels = result_size(ratio, request.resolution)
        created = now_ms()
        marker = self.settings.failure_marker
        fail_msg = None
        if marker and marker in request.prompt:
            fail_msg = f"generation failed: the prompt contains the failure marker {marker!r}"
        return TaskRecord(
            task_id=self.ids.next_id(created),
            user=user,
            external_task_id=request.external_task_id,
            status=SUBMITTED,
            status_msg="",
            result_type=request.result_type,
            result_count=_result_count(request),
            width=width,
            height=height,
            pixels=pixels,
            watermark=request.watermark,
            callback_url=request.callback_url,
            fail_msg=fail_msg,
            final_unit_deduction="0",
            created_at=created,
            updated_at=created,
        )


def _inspect_base64(text: str, where: str) -> tuple[int, int]:
    return inspect_reference_image(reference_image_base64(text, where), where)


def _result_count(request: CreateTaskInput) -> int:
    """`n` for single; `series_amount` for series, `auto` picked in the contract's range."""
    if request.result_type != "series":
        return request.n
    if isinstance(request.series_amount, int):
        return request.series_amount
    params = load_contract().rule("task-result-shape").params
    return random.randint(int(params["auto_series_min"]), int(params["auto_series_max"]))
