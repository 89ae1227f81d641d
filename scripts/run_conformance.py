"""`make conformance`: run the suite against the reference server it starts, or against $BASE_URL.

Without BASE_URL: start `reference_server` on a free loopback port with a second user, the element
library, a webhook secret and the failure marker, run the suite with every optional input, write
reports/conformance.{md,xml}, stop the server and exit with the suite's exit code.
With BASE_URL=...: target that server; credentials and options come from OMNI_* variables.
Extra command-line arguments are passed to omni-conformance (e.g. `--only auth-codes`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.cli import main as conformance_main
from reference_server.config import (
    DEFAULT_ELEMENT_IDS,
    DEFAULT_FAILURE_MARKER,
    DEFAULT_STEP_DELAY,
    DEV_ACCESS_KEY,
    DEV_API_KEY,
    DEV_SECRET_KEY,
)
from scripts.loopback_env import use_loopback_only_environment

REPORTS = Path("reports")
DEV_USER = (DEV_ACCESS_KEY, DEV_SECRET_KEY)
# Only for this run: the reference server has no second user or webhook secret by default.
SECOND_USER = ("ak-omni-second", "sk-omni-second-secret-9876543210")
API_KEY = DEV_API_KEY
ELEMENT_IDS = DEFAULT_ELEMENT_IDS
WEBHOOK_SECRET = "whsec_b21uaS1pbWFnZS1raXQtY29uZm9ybWFuY2Utc2VjcmV0"
FAILURE_MARKER = DEFAULT_FAILURE_MARKER


def report_args() -> list[str]:
    """Write the Markdown report and JUnit XML under reports/ (gitignored)."""
    return [
        "--junit-xml",
        str(REPORTS / "conformance.xml"),
        "--report",
        str(REPORTS / "conformance.md"),
    ]


# How the reference server is started for a full run, and the suite options that match it; the
# conformance tests and the mutant catalogue start their servers from the same two definitions.
SERVER_OPTIONS: dict[str, Any] = {
    "users": {DEV_USER[0]: DEV_USER[1], SECOND_USER[0]: SECOND_USER[1]},
    "api_keys": {API_KEY: DEV_USER[0]},
    "element_ids": ELEMENT_IDS,
    "webhook_secret": WEBHOOK_SECRET,
    "failure_marker": FAILURE_MARKER,
}


def suite_values(base_url: str) -> dict[str, Any]:
    """Every optional input of the suite, matching a server started with SERVER_OPTIONS."""
    return {
        "base_url": base_url,
        "access_key": DEV_USER[0],
        "secret_key": DEV_USER[1],
        "api_key": API_KEY,
        "second_access_key": SECOND_USER[0],
        "second_secret_key": SECOND_USER[1],
        "element_ids": ELEMENT_IDS,
        "webhook_secret": WEBHOOK_SECRET,
        "failure_prompt": FAILURE_MARKER,
    }


def reference_args(base_url: str) -> list[str]:
    """suite_values as omni-conformance flags."""
    args: list[str] = []
    for name, value in suite_values(base_url).items():
        text = ",".join(str(i) for i in value) if isinstance(value, (list, tuple)) else str(value)
        args += [f"--{name.replace('_', '-')}", text]
    return args


def run_against_reference(extra: Sequence[str]) -> int:
    """Start the reference server, run the suite against it, stop it."""
    from reference_server.launcher import start_reference_server

    with start_reference_server(**SERVER_OPTIONS, step_delay=DEFAULT_STEP_DELAY) as server:
        print(f"reference server at {server.base_url}", flush=True)
        return conformance_main([*reference_args(server.base_url), *report_args(), *extra])


def main(argv: Sequence[str] | None = None) -> int:
    """BASE_URL set: target it; otherwise start the reference server."""
    use_loopback_only_environment()
    extra = list(sys.argv[1:] if argv is None else argv)
    base_url = os.environ.get("BASE_URL")
    if base_url:
        return conformance_main(["--base-url", base_url, *report_args(), *extra])
    return run_against_reference(extra)


if __name__ == "__main__":
    sys.exit(main())
