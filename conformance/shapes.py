"""Which contract line each way an answer breaks its schema breaks (a failure names that line).

A response schema in openapi.yaml bundles lines of different standings: a create answer's five
documented fields (`create-answer-fields`) beside the ruling that other task fields keep the task
schema's types (`create-answer-extra-fields-typed`); a task's `final_unit_deduction` being a string
is a ruling, its times being milliseconds is documented. Every schema problem is therefore mapped
to the `x-rules` id of the field it is about, and the most binding one (documented first) is the
one a check fails on.

>>> [p.rule for p in schema_problems(load_contract(), "CreatedTask", {"task_id": "1"})][:1]
['create-answer-fields']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from conformance.levels import DOCUMENTED
from omni_spec import Contract, load_contract

# The x-rules id a task field of the wrong type breaks (a field not listed: ENVELOPE_RULE).
TASK_FIELD_RULES = {
    "task_status": "task-status-forward-only",
    "task_status_msg": "failed-has-message",
    "task_info": "task-result-empty-until-succeed",
    "task_result": "task-result-empty-until-succeed",
    "watermark_info": "watermark-url-iff-enabled",
    "final_unit_deduction": "task-result-empty-until-succeed",
    "final_balance_deduction": "final-balance-deduction-shape",
    "created_at": "times-in-milliseconds",
    "updated_at": "times-in-milliseconds",
}
RESULT_ITEM_RULE = "task-result-shape"  # anything inside task_result.images / series_images
ENVELOPE_RULE = "envelope"
ERROR_DATA_RULE = "envelope-error-has-no-data"
CREATE_FIELDS_RULE = "create-answer-fields"
CREATE_EXTRA_RULE = "create-answer-extra-fields-typed"
CALLBACK_FIELDS_RULE = "callback-documented-body"
CALLBACK_TYPES_RULE = "callback-body-equals-task"
LIST_RULE = "list-paging-parameters"


@dataclass(frozen=True)
class SchemaProblem:
    """One way an instance breaks its schema, and the line that breaks."""

    rule: str
    standing: str
    message: str


def _task_rule(path: list[Any]) -> str:
    """A task field of the wrong type breaks that field's line; a missing one the documented task
    object `data` must be (ENVELOPE_RULE: success has code 0 and data, the endpoint's object)."""
    if not path:
        return ENVELOPE_RULE
    field = str(path[0])
    if field == "task_result" and len(path) > 1 and path[1] in ("images", "series_images"):
        return RESULT_ITEM_RULE
    return TASK_FIELD_RULES.get(field, ENVELOPE_RULE)


def _missing(error: ValidationError) -> list[str]:
    if error.validator != "required" or not isinstance(error.instance, dict):
        return []
    required = error.validator_value if isinstance(error.validator_value, list) else []
    absent = [str(name) for name in required if name not in error.instance]
    # One error per missing property; its message starts with that property's repr.
    named = [name for name in absent if error.message.startswith(repr(name))]
    return named or absent


def _rule_for(schema_name: str, path: list[Any], missing: list[str], keyword: str) -> str:
    """The x-rules id one schema error breaks, by the schema and the field it is about."""
    if schema_name == "CreatedTask":
        five = load_contract().rule(CREATE_FIELDS_RULE).params["fields"]
        field = str(path[0]) if path else (missing[0] if missing else "")
        return CREATE_FIELDS_RULE if not field or field in five else CREATE_EXTRA_RULE
    if schema_name == "CallbackTask":
        return CALLBACK_FIELDS_RULE if missing and not path else CALLBACK_TYPES_RULE
    if schema_name == "Error":
        return ERROR_DATA_RULE if keyword == "not" else ENVELOPE_RULE
    if schema_name == "TaskListEnvelope":
        if path[:1] != ["data"]:
            return LIST_RULE if missing == ["data"] else ENVELOPE_RULE
        return LIST_RULE if len(path) < 2 else _task_rule(path[2:])
    if schema_name in ("TaskEnvelope", "CreateTaskEnvelope"):
        if path[:1] != ["data"]:
            return ENVELOPE_RULE
        inner = "CreatedTask" if schema_name == "CreateTaskEnvelope" else "Task"
        return _rule_for(inner, path[1:], missing, keyword)
    return _task_rule(path)


def schema_problems(contract: Contract, schema_name: str, instance: Any) -> list[SchemaProblem]:
    """Every way `instance` breaks `components/schemas/<schema_name>`, each with its line."""
    problems = []
    for error in contract.schema_validator(schema_name).iter_errors(instance):
        rule = _rule_for(
            schema_name, list(error.absolute_path), _missing(error), str(error.validator)
        )
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(
            SchemaProblem(rule, contract.rule(rule).standing, f"{where}: {error.message}")
        )
    return problems


def most_binding(problems: Iterable[SchemaProblem]) -> list[SchemaProblem]:
    """The problems of the most binding line first: every problem of the first documented line
    (else of the first decided one), then nothing else (one failure names one line)."""
    listed = list(problems)
    if not listed:
        return []
    lead = next((p for p in listed if p.standing == DOCUMENTED), listed[0])
    return [p for p in listed if p.rule == lead.rule]
