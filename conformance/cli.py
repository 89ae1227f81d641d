"""`omni-conformance`: run the suite against a server; exit 0 conforms, 1 violations, 2
usage/unreachable/broken."""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from conformance.config import ConfigError, SuiteConfig, load_config
from conformance.document import write_report
from conformance.junit import write_junit
from conformance.levels import LEVELS
from conformance.registry import select_checks
from conformance.report import ConsoleProgress, print_result
from conformance.runner import SuiteResult, TargetUnreachable, run_suite
from omni_spec import load_contract

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Every option also reads $OMNI_<NAME> and omni-conformance.toml (flag > env > file)."""
    parser = argparse.ArgumentParser(
        prog="omni-conformance",
        description="Check a server against the Omni-Image contract (openapi.yaml, "
        "docs/contract.md). Every option also reads $OMNI_<OPTION> and omni-conformance.toml; "
        "flag > env > file.",
    )
    add = parser.add_argument
    add("--base-url", help="server under test, e.g. http://127.0.0.1:8000 [required]")
    add("--access-key", help="the user's ACCESS_KEY [required]")
    add("--secret-key", help="the user's SECRET_KEY [required]")
    add("--api-key", help="a plain API key accepted as bearer value (enables auth-api-key)")
    add("--second-access-key", help="a second user's ACCESS_KEY (enables isolation checks)")
    add("--second-secret-key", help="a second user's SECRET_KEY")
    add("--element-ids", help="comma-separated element ids of the user's library, e.g. 1001,1002")
    add("--webhook-secret", help="whsec_... secret the server signs callbacks with")
    add("--failure-prompt", help="a prompt that makes the server end the task failed")
    add(
        "--callback-host",
        help="loopback address the suite's receiver binds and advertises [127.0.0.1]",
    )
    add("--seed", type=int, help="seed for every generated value (printed; random when omitted)")
    add("--max-examples", type=int, help="examples per operation in Schemathesis phases [50]")
    add("--task-timeout", type=float, help="seconds a task may take to end [60]")
    add("--junit-xml", metavar="PATH", help="write JUnit XML (one testcase per rule)")
    add("--report", metavar="PATH", help="write a Markdown (.md) or HTML (.html) report")
    add(
        "--level",
        choices=LEVELS,
        help="decided (default): documented lines and the contract's rulings fail; documented: "
        "only documented lines fail, a ruling broken is a warning that keeps exit 0",
    )
    add("--only", nargs="+", metavar="RULE_ID", action="extend", help="run only these checks")
    add("--skip", nargs="+", metavar="RULE_ID", action="extend", help="skip these checks")
    add("--list-checks", action="store_true", help="list check ids with what they prove, then exit")
    return parser


def _flags(namespace: argparse.Namespace) -> dict[str, Any]:
    values = {k: v for k, v in vars(namespace).items() if k != "list_checks"}
    return values


def unwritable_reason(path: str) -> str | None:
    """Why a report can't be written at path (checked before the run, not after), or None."""
    target = Path(path)
    if target.is_dir():
        return f"{path} is a directory"
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent  # missing directories are created when writing
    if not ancestor.is_dir():
        return f"{ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK) or (
        target.exists() and not os.access(target, os.W_OK)
    ):
        return f"no permission to write {path}"
    return None


def _write_outputs(console: Console, result: SuiteResult, config: SuiteConfig) -> None:
    """Write the JUnit XML and report files asked for; OSError escapes to main."""
    if config.junit_xml:
        write_junit(result, config.junit_xml)
        console.print(f"JUnit XML: {config.junit_xml}", highlight=False)
    if config.report:
        write_report(result, config.report)
        console.print(f"report: {config.report}", highlight=False)


def standing_of(check_id: str) -> str:
    """The standing of the line a check is named after (a Schemathesis phase has none)."""
    rule = load_contract().rules.get(check_id)
    return rule.standing if rule else "phase: each finding names its own line"


def _list_checks(console: Console) -> int:
    for check in select_checks((), ()):
        needs = f"  (needs {', '.join(check.needs)})" if check.needs else ""
        standing = f"  [dim]({standing_of(check.name)})[/]"
        console.print(
            f"[bold]{check.name}[/]{standing}  [dim]{check.topic}[/]  {check.description}{needs}",
            highlight=False,
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run, print, write reports; returns the exit code (also used as sys.exit)."""
    console = Console(stderr=False)
    if not console.is_terminal:
        console = Console(stderr=False, width=160)
    errors = Console(stderr=True)
    namespace = build_parser().parse_args(argv)
    if namespace.list_checks:
        return _list_checks(console)
    try:
        config = load_config(_flags(namespace))
        config.validate()
        total = len(select_checks(config.only, config.skip))
        for option, path in (("--junit-xml", config.junit_xml), ("--report", config.report)):
            reason = unwritable_reason(str(path)) if path else None
            if reason:
                raise ConfigError(f"{option}: cannot write there: {reason}")
    except (ConfigError, ValueError) as exc:
        errors.print(f"omni-conformance: error: {exc}", highlight=False)
        return EXIT_USAGE
    if config.seed is None:
        config = dataclasses.replace(config, seed=secrets.randbelow(2**31))
    console.print(
        f"omni-conformance against {config.base_url}, seed {config.seed}, level {config.level}",
        highlight=False,
    )
    try:
        with ConsoleProgress(console, total) as progress:
            result: SuiteResult = run_suite(config, progress=progress)
    except TargetUnreachable as exc:
        errors.print(f"omni-conformance: target unreachable: {exc}", highlight=False)
        return EXIT_USAGE
    except ConfigError as exc:
        errors.print(f"omni-conformance: error: {exc}", highlight=False)
        return EXIT_USAGE
    print_result(console, result)
    try:
        _write_outputs(console, result, config)
    except OSError as exc:
        errors.print(f"omni-conformance: error: cannot write a report: {exc}", highlight=False)
        return EXIT_USAGE
    return result.exit_code


def entry_point() -> None:  # pragma: no cover - console script wrapper
    """sys.exit(main())."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry_point()
