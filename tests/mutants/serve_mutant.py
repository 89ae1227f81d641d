"""Run the reference server with one planted deviation: the server CLI plus `--mutant ID`.

    python -m tests.mutants.serve_mutant --mutant times-in-seconds --port 0 [server flags...]

It prints the same `listening on` line as `omni-reference-server`, so
`reference_server.launcher.start_reference_server(module="tests.mutants.serve_mutant", ...)` starts
and stops it. `--mutant control` serves the real app unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reference_server import cli
from reference_server.app import create_app
from tests.mutants.catalogue import CONTROL, MUTANTS


def main(argv: Sequence[str] | None = None) -> int:
    """Pick the mutant, hand every other flag to the reference server's CLI."""
    parser = argparse.ArgumentParser(prog="serve_mutant", add_help=False)
    parser.add_argument("--mutant", required=True, choices=[CONTROL, *MUTANTS])
    known, rest = parser.parse_known_args(argv)
    factory = create_app if known.mutant == CONTROL else MUTANTS[known.mutant].apply
    return cli.main(rest, app_factory=factory)


if __name__ == "__main__":
    sys.exit(main())
