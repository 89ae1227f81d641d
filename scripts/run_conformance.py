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

from conformance.cli import main as conformance_main
from reference_server.config import (
    DEFAULT_ELEMENT_IDS,
    DEFAULT_FAILURE_MARKER,
    DEFAULT_STEP_DELAY,
    DEV_ACCESS_KEY,
    DEV_API_KEY,
    DEV_SECRET_KEY,
)

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


def reference_args(base_url: str) -> list[str]:
    """Every option of the suite, matching how the reference server was started."""
    return [
        "--base-url",
        base_url,
        "--access-key",
        DEV_USER[0],
        "--secret-key",
        DEV_USER[1],
        "--api-key",
        API_KEY,
        "--second-access-key",
        SECOND_USER[0],
        "--second-secret-key",
        SECOND_USER[1],
        "--element-ids",
        ",".join(str(i) for i in ELEMENT_IDS),
        "--webhook-secret",
        WEBHOOK_SECRET,
        "--failure-prompt",
        FAILURE_MARKER,
    ]


def run_against_reference(extra: Sequence[str]) -> int:
    """Start the reference server, run the suite against it, stop it."""
    from reference_server.launcher import start_reference_server

    with start_reference_server(
        users={DEV_USER[0]: DEV_USER[1], SECOND_USER[0]: SECOND_USER[1]},
        api_keys={API_KEY: DEV_USER[0]},
        element_ids=ELEMENT_IDS,
        webhook_secret=WEBHOOK_SECRET,
        failure_marker=FAILURE_MARKER,
        step_delay=DEFAULT_STEP_DELAY,
    ) as server:
        print(f"reference server at {server.base_url}", flush=True)
        return conformance_main([*reference_args(server.base_url), *report_args(), *extra])


def main(argv: Sequence[str] | None = None) -> int:
    """BASE_URL set: target it; otherwise start the reference server."""
    extra = list(sys.argv[1:] if argv is None else argv)
    base_url = os.environ.get("BASE_URL")
    if base_url:
        return conformance_main(["--base-url", base_url, *report_args(), *extra])
    return run_against_reference(extra)


if __name__ == "__main__":
    sys.exit(main())
