"""Console, JUnit XML, Markdown and HTML output of a run, and curl rendering with redaction."""

from __future__ import annotations

import io
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console

from conformance.curl import render_curl
from conformance.document import write_report
from conformance.junit import write_junit
from conformance.report import print_result
from conformance.runner import CheckOutcome, Outcome, SuiteResult
from conformance.tokens import valid_token
from conformance.violation import Violation


def _result() -> SuiteResult:
    violation = Violation(
        "auth-codes",
        sent="GET http://127.0.0.1:1/v1/images/omni-image",
        received='HTTP 401 (application/json)\n{"code": 1002}',
        documented="HTTP 401 with code 1004 (token expired)",
        curl="curl -sS -i -X GET http://127.0.0.1:1/v1/images/omni-image",
        case="list_tasks: expired 10 minutes ago",
        standing="documented",
    )
    ruling = Violation(
        "list-order-ties",
        sent="GET http://127.0.0.1:1/v1/images/omni-image?pageSize=50",
        received="HTTP 200 (application/json)",
        documented="ordered by created_at, then task_id, both descending",
        curl="curl -sS -i http://127.0.0.1:1/v1/images/omni-image?pageSize=50",
        case="pageSize=50",
        standing="decided",
    )
    return SuiteResult(
        outcomes=[
            CheckOutcome(
                "envelope", "envelope", "d", Outcome.PASS, duration=0.1, notes=["2 shared ids"]
            ),
            CheckOutcome(
                "auth-codes", "auth", "d", Outcome.FAIL, reason=violation.case, violation=violation
            ),
            CheckOutcome(
                "list-newest-first",
                "paging",
                "d",
                Outcome.WARN,
                reason="differs from the contract's ruling",
                warnings=[ruling],
                notes=["silence task-times-monotonic: kept"],
            ),
            CheckOutcome("paging", "paging", "d", Outcome.ERROR, reason="KeyError: 'x'\ntraceback"),
            CheckOutcome(
                "user-isolation", "identity", "d", Outcome.SKIP, reason="needs --second-access-key"
            ),
        ],
        seed=4242,
        run_nonce="abcd1234",
        config={"base_url": "http://127.0.0.1:1", "secret_key": "<redacted>", "seed": 4242},
        started_at=1_795_700_000.0,
        duration=1.5,
        level="documented",
    )


def test_exit_code_prefers_failures_over_errors() -> None:
    """A violation is exit 1 even when a check also errored; errors alone are 2; warnings alone
    (rulings under --level documented) are 0."""
    result = _result()
    assert result.exit_code == 1
    result.outcomes = [o for o in result.outcomes if o.outcome is not Outcome.FAIL]
    assert result.exit_code == 2
    result.outcomes = [o for o in result.outcomes if o.outcome is not Outcome.ERROR]
    assert result.exit_code == 0 and result.warning_count == 1


SUMMARY = "5 checks at level documented: 1 fail, 1 warning, 2 notes, 1 error, 1 skip, 1 pass"


def test_summary_counts_fails_warnings_notes_errors_and_skips_apart() -> None:
    """The summary counts each kind of outcome and finding on its own."""
    assert _result().summary() == SUMMARY


def test_junit_has_one_testcase_per_rule(tmp_path: Path) -> None:
    """JUnit XML: one testcase per check, failure/error/skipped elements, the seed as property."""
    path = tmp_path / "out" / "junit.xml"
    write_junit(_result(), path)
    suite = ET.parse(path).getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {
        "envelope",
        "auth-codes",
        "list-newest-first",
        "paging",
        "user-isolation",
    }
    assert (
        suite.get("failures") == "1" and suite.get("errors") == "1" and suite.get("skipped") == "1"
    )
    failure = cases["auth-codes"].find("failure")
    assert failure is not None and "curl -sS" in (failure.text or "")
    assert cases["paging"].find("error") is not None
    assert cases["user-isolation"].find("skipped") is not None
    seeds = [p.get("value") for p in suite.iter("property") if p.get("name") == "seed"]
    assert seeds == ["4242"]


def _properties(element: ET.Element) -> dict[str | None, str | None]:
    holder = element.find("properties")
    assert holder is not None
    return {p.get("name"): p.get("value") for p in holder.iter("property")}


def test_junit_names_rule_standing_warnings_and_counts(tmp_path: Path) -> None:
    """A failing testcase carries rule and standing as properties; a warning is a property, not a
    failure; the suite's properties hold the level and the warning and note counts."""
    path = tmp_path / "junit.xml"
    write_junit(_result(), path)
    suite = ET.parse(path).getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert _properties(cases["auth-codes"]) == {"rule": "auth-codes", "standing": "documented"}
    warned = cases["list-newest-first"]
    assert warned.find("failure") is None
    assert _properties(warned) == {"warning": "list-order-ties (decided)"}
    assert "differs from the contract's ruling" in (warned.findtext("system-out") or "")
    run = _properties(suite)
    assert (run["level"], run["warnings"], run["notes"]) == ("documented", "1", "2")
    assert run["summary"] == SUMMARY


def test_markdown_and_html_reports_carry_evidence(tmp_path: Path) -> None:
    """Both reports show the seed, every rule, and the failure's sent/received/contract/curl."""
    for name in ("report.md", "report.html"):
        path = tmp_path / name
        write_report(_result(), path)
        text = path.read_text(encoding="utf-8")
        for needle in (
            "4242",
            "auth-codes",
            "user-isolation",
            "token expired",
            "curl -sS",
            "expired 10 minutes",
            "documented",
            "list-order-ties",
            "differs from the contract&#x27;s ruling"
            if name.endswith("html")
            else "differs from the contract's ruling",
            SUMMARY,
        ):
            assert needle in text, (name, needle)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## FAIL `auth-codes`: `auth-codes` (documented)" in markdown
    assert "## WARN `list-newest-first`: `list-order-ties` (decided)" in markdown
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_console_output_lists_rules_and_failure_panel() -> None:
    """The final table names each rule; each failure gets a panel with the curl line."""
    buffer = io.StringIO()
    print_result(Console(file=buffer, width=200), _result())
    text = buffer.getvalue()
    assert "FAIL auth-codes: auth-codes (documented)" in text
    assert "WARN list-newest-first: list-order-ties (decided) differs from the contract's" in text
    assert "curl -sS" in text and "seed 4242" in text
    assert SUMMARY in text


def test_curl_redacts_jwt_signature_and_api_key() -> None:
    """A JWT keeps header and payload but loses its signature; plain API keys are hidden."""
    token = valid_token("ak-test", "super-secret-key-that-is-long-enough")
    signature = token.rsplit(".", 1)[1]
    line = render_curl("GET", "http://h/v1", {"Authorization": f"Bearer {token}"}, None)
    assert signature not in line and "<signature-redacted>" in line and token.split(".")[1] in line
    keyed = render_curl("GET", "http://h/v1", {"Authorization": "Bearer my-api-key-123"}, None)
    assert "my-api-key-123" not in keyed


def test_curl_round_trips_through_a_shell_and_summarises_big_bodies() -> None:
    """The curl line is valid shell quoting of the exact body; huge bodies are not inlined."""
    body = b'{"prompt": "it\'s <<<image_1>>> $HOME"}'
    line = render_curl("POST", "http://h/v1?a=1&b=2", {"Content-Type": "application/json"}, body)
    words = shlex.split(line)
    assert words[words.index("--data-binary") + 1] == body.decode()
    assert "http://h/v1?a=1&b=2" in words
    big = render_curl("POST", "http://h/v1", {}, b"x" * 10_000)
    assert "10000 bytes, not inlined" in big
