"""The spec forbids nothing the contract allows: minimal documented answers and both silence sides.

Each case is a document a conformant server (or client) may send under revision 2 of the contract;
the spec's schema must accept it and the generated client must parse it. A few cases the contract
does forbid are checked too, so the schemas have not been loosened into accepting anything.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from omni_image_client.models import CallbackTask, CreatedTask, FinalBalanceDeduction, Task

from omni_spec import load_contract

FIVE_FIELDS: dict[str, Any] = {
    "task_id": "1",
    "task_status": "submitted",
    "task_info": {"external_task_id": None},
    "created_at": 1795700000000,
    "updated_at": 1795700000000,
}
ITEM = {"index": 0, "url": "https://cdn.example.com/0.png"}
DOCUMENTED_CALLBACK: dict[str, Any] = {
    **FIVE_FIELDS,
    "task_status": "succeed",
    "task_status_msg": "",
    "task_result": {"result_type": "single", "images": [ITEM], "series_images": []},
    "final_unit_deduction": "1",
}
FULL_TASK: dict[str, Any] = {
    **DOCUMENTED_CALLBACK,
    "watermark_info": {"enabled": False},
    "final_balance_deduction": {"quota": "0.0035", "list_price": "0.0035"},
}


def with_extra_fields(task: dict[str, Any]) -> dict[str, Any]:
    """The task with an unknown field in itself and in every nested object."""
    extended = copy.deepcopy(task)
    extended["surprise"] = {"x": 1}
    extended["task_info"]["surprise"] = 1
    extended["task_result"]["surprise"] = []
    extended["task_result"]["images"][0]["surprise"] = "y"
    extended["watermark_info"]["surprise"] = True
    extended["final_balance_deduction"]["currency"] = "USD"
    return extended


ALLOWED: list[tuple[str, str, Any]] = [
    ("create answer with only the five documented fields", "CreatedTask", FIVE_FIELDS),
    ("create answer with the whole task", "CreatedTask", FULL_TASK),
    ("callback with only the documented body", "CallbackTask", DOCUMENTED_CALLBACK),
    ("callback with the whole task", "CallbackTask", FULL_TASK),
    ("task without final_balance_deduction", "Task",
     {**DOCUMENTED_CALLBACK, "watermark_info": {"enabled": False}}),
    ("task with unknown fields at every level", "Task", with_extra_fields(FULL_TASK)),
    ("times before 1970", "Task", {**FULL_TASK, "created_at": -1, "updated_at": -1}),
    ("empty message and request id in an error", "Error",
     {"code": 1201, "message": "", "request_id": ""}),
    ("watermark_info without enabled", "CreateTaskRequest", {"prompt": "x", "watermark_info": {}}),
    ("callback_url with a non-ASCII host and path", "CreateTaskRequest",
     {"prompt": "x", "callback_url": "https://bücher.example/hook/ä b|{x}"}),
    ("text-only series on kling-v3-omni", "CreateTaskRequest",
     {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series"}),
    ("whitespace-only prompt", "CreateTaskRequest", {"prompt": "   "}),
    ("result url that is not a strict URI", "ResultImage",
     {"index": 0, "url": "https://cdn.example.com/ä b.png"}),
]  # fmt: skip

FORBIDDEN: list[tuple[str, str, Any]] = [
    ("create answer without task_info", "CreatedTask",
     {k: v for k, v in FIVE_FIELDS.items() if k != "task_info"}),
    ("callback without task_result", "CallbackTask",
     {k: v for k, v in DOCUMENTED_CALLBACK.items() if k != "task_result"}),
    ("final_balance_deduction with a number", "Task",
     {**FULL_TASK, "final_balance_deduction": {"quota": 0.0035, "list_price": "0.0035"}}),
    ("watermark_info.enabled not a boolean", "CreateTaskRequest",
     {"prompt": "x", "watermark_info": {"enabled": "yes"}}),
    ("callback_url not http(s)", "CreateTaskRequest",
     {"prompt": "x", "callback_url": "ftp://example.com/x"}),
    ("callback_url relative", "CreateTaskRequest", {"prompt": "x", "callback_url": "/hook"}),
    ("error with data", "Error", {"code": 1201, "message": "m", "request_id": "r", "data": {}}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "schema", "document"), ALLOWED, ids=[c[0] for c in ALLOWED])
def test_the_spec_accepts_what_the_contract_allows(case: str, schema: str, document: Any) -> None:
    """The schema (both validators) accepts the document."""
    contract = load_contract()
    assert contract.schema_problems(schema, document) == [], case
    assert contract.fast_validator(schema).is_valid(document), case


@pytest.mark.parametrize(("case", "schema", "document"), FORBIDDEN, ids=[c[0] for c in FORBIDDEN])
def test_the_spec_refuses_what_the_contract_forbids(case: str, schema: str, document: Any) -> None:
    """The schema refuses the document."""
    assert load_contract().schema_problems(schema, document), case


def test_the_generated_client_parses_minimal_documented_answers() -> None:
    """CreatedTask, CallbackTask and Task parse the minimal and the extended documents."""
    assert CreatedTask.from_dict(FIVE_FIELDS).task_id == "1"
    assert CallbackTask.from_dict(DOCUMENTED_CALLBACK).task_result.images[0].url == ITEM["url"]
    task = Task.from_dict(with_extra_fields(FULL_TASK))
    assert task.additional_properties["surprise"] == {"x": 1}
    assert isinstance(task.final_balance_deduction, FinalBalanceDeduction)
    assert task.final_balance_deduction.quota == "0.0035"
