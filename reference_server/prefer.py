"""The `Prefer` request header of the development double: documented answers on demand.

The syntax is RFC 7240's (`Prefer: key=value, key=value`, several headers allowed, preference
names case-insensitive), the habit Stoplight Prism users know; the keys are ours:

    error=CODE               any operation: answer CODE of the spec's error table, with its status
    error-after-accept=CODE  create_task: store the task, then answer CODE instead of it (a lost
                             acknowledgement, what a client's create retries must survive)
    task-outcome=STATUS      create_task: the task ends in this terminal status (failed, succeed)
    task-error=CODE          create_task, with task-outcome=failed: task_status_msg names CODE
    task-duration=SECONDS    create_task: this task's time in each lifecycle step

An unknown key, a missing or impossible value, a key given twice, or RFC 7240 parameters
(`;...`) are 400/1201 with a message saying which. A create_task key sent to another operation is
validated and then ignored there, so a client may set one Prefer header for all its calls. Codes and
statuses are read from the spec (`x-error-codes`, the lifecycle), never listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from omni_spec import load_contract
from reference_server import codes
from reference_server.envelope import ApiError
from reference_server.simulation_settings import seconds
from reference_server.task_view import FAILED

CREATE_OPERATION = "create_task"
ERROR = "error"
ERROR_AFTER_ACCEPT = "error-after-accept"
TASK_OUTCOME = "task-outcome"
TASK_ERROR = "task-error"
TASK_DURATION = "task-duration"
ANY_OPERATION_KEYS = (ERROR,)
CREATE_ONLY_KEYS = (ERROR_AFTER_ACCEPT, TASK_OUTCOME, TASK_ERROR, TASK_DURATION)
MAX_SHOWN = 60


@dataclass(frozen=True)
class Preferences:
    """What one request asked for; None everywhere is an ordinary request."""

    error: int | None = None
    error_after_accept: int | None = None
    task_outcome: str | None = None
    task_error: int | None = None
    task_duration: float | None = None


NO_PREFERENCES = Preferences()


def parse_prefer(headers: Iterable[str], operation_id: str) -> Preferences:
    """The preferences of every `Prefer` header of a request to `operation_id`, or 400/1201."""
    values: dict[str, str] = {}
    for header in headers:
        for item in header.split(","):
            key, value = _preference(item)
            if key is None:
                continue
            if key in values:
                raise _invalid(f"{key} is given more than once")
            values[key] = value
    known = ANY_OPERATION_KEYS + CREATE_ONLY_KEYS
    for key in values:
        if key not in known:
            raise _invalid(f"unknown preference {_shown(key)} (known: {', '.join(known)})")
    prefs = Preferences(
        error=_code(values, ERROR),
        error_after_accept=_code(values, ERROR_AFTER_ACCEPT),
        task_outcome=_outcome(values),
        task_error=_code(values, TASK_ERROR),
        task_duration=_duration(values),
    )
    if prefs.task_error is not None and prefs.task_outcome != FAILED:
        raise _invalid(f"{TASK_ERROR} needs {TASK_OUTCOME}={FAILED}")
    if operation_id != CREATE_OPERATION:
        # Validated, then left out: a client may set one Prefer header for all its calls.
        return Preferences(error=prefs.error)
    return prefs


def _preference(item: str) -> tuple[str | None, str]:
    """(lower-case name, unquoted value) of one list element; (None, "") for an empty one."""
    head, _, parameters = item.partition(";")
    name, sep, value = head.partition("=")
    name = name.strip().lower()
    if not name:
        if head.strip() or parameters.strip():
            raise _invalid(f"{_shown(item.strip())} has no preference name")
        return None, ""
    if parameters.strip():
        raise _invalid(f"{name}: preference parameters (';...') are not supported")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not sep or not value:
        raise _invalid(f"{name} needs a value ({name}=...)")
    return name, value


def _code(values: dict[str, str], key: str) -> int | None:
    text = values.get(key)
    if text is None:
        return None
    known = load_contract().error_codes
    if not (text.isascii() and text.isdigit()) or int(text) not in known:
        raise _invalid(f"{key}={_shown(text)} is not a code of the spec's error table")
    return int(text)


def _outcome(values: dict[str, str]) -> str | None:
    text = values.get(TASK_OUTCOME)
    if text is None:
        return None
    terminal = sorted(load_contract().lifecycle.terminal)
    if text not in terminal:
        raise _invalid(f"{TASK_OUTCOME}={_shown(text)} is not one of {', '.join(terminal)}")
    return text


def _duration(values: dict[str, str]) -> float | None:
    text = values.get(TASK_DURATION)
    if text is None:
        return None
    try:
        return seconds(text, TASK_DURATION)
    except ValueError as exc:
        raise _invalid(str(exc)) from None


def _shown(text: str) -> str:
    return repr(text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "...")


def _invalid(reason: str) -> ApiError:
    return ApiError(codes.INVALID_FIELD, f"Prefer header: {reason}")
