"""The Prefer header of the development double: every documented error on demand, validation,
failed outcomes and per-task durations (docs/reference-server.md, "Answers on demand")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from omni_spec import load_contract
from reference_server.launcher import RunningServer, start_reference_server
from reference_server.prefer import parse_prefer
from tests.reference_server.helpers import PATH, bearer, create, wait_terminal

CONTRACT = load_contract()
ERROR_TABLE = sorted(CONTRACT.error_codes.items())
INVALID_FIELD = int(CONTRACT.rule("body-json-object").params["invalid_field_code"])
OPERATIONS = ("create_task", "get_task", "list_tasks")


def _send(base_url: str, operation: str, prefer: str, **headers: str) -> httpx.Response:
    all_headers = {**bearer(), "Prefer": prefer, **headers}
    if operation == "create_task":
        return httpx.post(base_url + PATH, json={"prompt": "x"}, headers=all_headers)
    if operation == "get_task":
        return httpx.get(base_url + PATH + "/no-such-task", headers=all_headers)
    return httpx.get(base_url + PATH, headers=all_headers)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(("code", "entry"), ERROR_TABLE, ids=[str(c) for c, _ in ERROR_TABLE])
def test_every_code_of_the_error_table_on_demand(
    base_url: str, operation: str, code: int, entry: object
) -> None:
    """Prefer error=CODE gives the spec's status for CODE, the code and a non-empty message."""
    response = _send(base_url, operation, f"error={code}")
    body = response.json()
    assert response.status_code == CONTRACT.error_codes[code].status
    assert body["code"] == code and body["message"] and "data" not in body
    assert CONTRACT.schema_problems("Error", body) == []


def test_error_on_demand_creates_no_task(base_url: str) -> None:
    """A create answered by Prefer error=... stores nothing (the external id stays free)."""
    headers = {**bearer(), "Prefer": "error=5001"}
    refused = httpx.post(base_url + PATH, json={"prompt": "x", "external_task_id": "pref-free"},
                         headers=headers)  # fmt: skip
    assert refused.status_code == 503
    assert create(base_url, {"prompt": "x", "external_task_id": "pref-free"}).status_code == 200


def test_authentication_errors_win_over_prefer(base_url: str) -> None:
    """Without a token the answer is 401/1001, not the preferred error."""
    response = httpx.get(base_url + PATH, headers={"Prefer": "error=1302"})
    assert (response.status_code, response.json()["code"]) == (401, 1001)


def test_method_check_wins_over_prefer(base_url: str) -> None:
    """An unsupported method is still 404/1202 with a Prefer header."""
    response = httpx.delete(base_url + PATH, headers={**bearer(), "Prefer": "error=1302"})
    assert (response.status_code, response.json()["code"]) == (404, 1202)


@pytest.mark.parametrize(
    ("operation", "prefer", "fragment"),
    [
        ("list_tasks", "colour=blue", "unknown preference 'colour'"),
        ("list_tasks", "error=9999", "error='9999' is not a code"),
        ("list_tasks", "error=abc", "error='abc' is not a code"),
        ("list_tasks", "error", "error needs a value"),
        ("list_tasks", "error=1302, error=5000", "more than once"),
        ("list_tasks", "error=1302; wait=5", "parameters"),
        ("get_task", "task-outcome=never", "task-outcome='never' is not one of"),
        ("create_task", "task-outcome=exploded", "task-outcome='exploded' is not one of"),
        ("create_task", "task-duration=-1", "outside 0..86400"),
        ("create_task", "task-duration=soon", "not a number of seconds"),
        ("create_task", "task-duration=nan", "outside 0..86400"),
        ("create_task", "task-error=1301", "task-error needs task-outcome=failed"),
        ("create_task", "task-outcome=succeed, task-error=1301", "needs task-outcome=failed"),
        ("create_task", "error-after-accept=42", "is not a code"),
    ],
)
def test_bad_prefer_is_1201_saying_which(
    base_url: str, operation: str, prefer: str, fragment: str
) -> None:
    """An unknown key, a misplaced key or an impossible value is 400/1201 naming the problem."""
    response = _send(base_url, operation, prefer)
    body = response.json()
    assert (response.status_code, body["code"]) == (400, INVALID_FIELD)
    assert fragment in body["message"] and "Prefer" in body["message"]


def test_create_keys_are_ignored_on_other_operations(base_url: str) -> None:
    """A valid create_task key on list_tasks is ignored (one header may serve every call)."""
    response = _send(base_url, "list_tasks", "task-outcome=failed, error-after-accept=5000")
    assert response.status_code == 200 and response.json()["code"] == 0


def test_prefer_syntax_follows_rfc_7240() -> None:
    """Names are case-insensitive, values may be quoted, several headers and list items merge."""
    prefs = parse_prefer(['Task-Outcome="failed"', ", TASK-ERROR=1301,"], "create_task")
    assert (prefs.task_outcome, prefs.task_error) == ("failed", 1301)


def test_failed_outcome_names_the_content_policy_code(base_url: str) -> None:
    """task-outcome=failed with task-error=1301 ends failed, its message naming 1301."""
    headers = {**bearer(), "Prefer": "task-outcome=failed, task-error=1301"}
    task_id = httpx.post(base_url + PATH, json={"prompt": "x"}, headers=headers).json()["data"][
        "task_id"
    ]
    done = wait_terminal(base_url, task_id)
    assert done["task_status"] == "failed" and "1301" in done["task_status_msg"]
    assert done["task_result"]["images"] == [] and done["task_result"]["series_images"] == []


def test_failed_outcome_without_code_has_a_message(base_url: str) -> None:
    """task-outcome=failed alone ends failed with a non-empty task_status_msg."""
    headers = {**bearer(), "Prefer": "task-outcome=failed"}
    task_id = httpx.post(base_url + PATH, json={"prompt": "x"}, headers=headers).json()["data"][
        "task_id"
    ]
    done = wait_terminal(base_url, task_id)
    assert done["task_status"] == "failed" and done["task_status_msg"]


def test_succeed_outcome_overrides_the_failure_marker(base_url: str) -> None:
    """task-outcome=succeed wins over the failure marker in the prompt."""
    headers = {**bearer(), "Prefer": "task-outcome=succeed"}
    task_id = httpx.post(base_url + PATH, json={"prompt": "omni:fail"}, headers=headers).json()[
        "data"
    ]["task_id"]
    assert wait_terminal(base_url, task_id)["task_status"] == "succeed"


def test_error_after_accept_stores_the_task(base_url: str) -> None:
    """error-after-accept=5000 answers 500/5000, yet the task exists (a lost acknowledgement)."""
    headers = {**bearer(), "Prefer": "error-after-accept=5000"}
    body = {"prompt": "x", "external_task_id": "pref-lost-ack"}
    response = httpx.post(base_url + PATH, json=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (500, 5000)
    found = httpx.get(base_url + PATH + "/pref-lost-ack", headers=bearer())
    assert found.status_code == 200
    assert found.json()["data"]["task_info"]["external_task_id"] == "pref-lost-ack"


@pytest.fixture(scope="module")
def slow_server() -> Iterator[RunningServer]:
    """A server whose default step takes an hour: only a Prefer duration finishes a task."""
    with start_reference_server(step_delay=3600) as running:
        yield running


def test_task_duration_is_per_task(slow_server: RunningServer) -> None:
    """task-duration=0 finishes its task while a default task stays submitted."""
    base = slow_server.base_url
    quick = httpx.post(base + PATH, json={"prompt": "x"},
                       headers={**bearer(), "Prefer": "task-duration=0"}).json()["data"]  # fmt: skip
    slow = create(base, {"prompt": "x"}).json()["data"]
    assert wait_terminal(base, quick["task_id"])["task_status"] == "succeed"
    again = httpx.get(f"{base}{PATH}/{slow['task_id']}", headers=bearer()).json()["data"]
    assert again["task_status"] == "submitted"


def test_outcome_and_duration_survive_a_crash(tmp_path: Path) -> None:
    """A task's Prefer outcome and duration are stored: after SIGKILL and restart it still ends
    failed, although the server's own step delay is an hour and its default outcome succeed."""
    with start_reference_server(database=tmp_path / "db.sqlite3", step_delay=3600) as server:
        headers = {**bearer(), "Prefer": "task-duration=0.3, task-outcome=failed"}
        task_id = httpx.post(server.base_url + PATH, json={"prompt": "x"}, headers=headers).json()[
            "data"
        ]["task_id"]
        server.kill()
        server.restart()
        done = wait_terminal(server.base_url, task_id)
    assert done["task_status"] == "failed" and done["task_status_msg"]


def test_simulation_off_ignores_prefer() -> None:
    """With --simulation off the Prefer header is ignored, as a real server would."""
    with start_reference_server(extra_args=["--simulation", "off"]) as server:
        assert "Prefer header off" in "".join(server.output)
        response = httpx.get(server.base_url + PATH, headers={**bearer(), "Prefer": "error=1302"})
        bad = httpx.get(server.base_url + PATH, headers={**bearer(), "Prefer": "colour=blue"})
    assert response.status_code == 200 and bad.status_code == 200


def test_simulation_is_on_by_default_and_printed(slow_server: RunningServer) -> None:
    """The start-up output says the Prefer header is honoured."""
    assert "simulation: Prefer header on" in "".join(slow_server.output)
