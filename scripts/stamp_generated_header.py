"""Prepend the "do not edit" header to every generated Python file.

Run by openapi-python-client as a post hook (see openapi-python-client.yaml) inside the generated
package folder, so that the header is part of generation and `make check-generated` sees it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = "# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.\n"


def stamp(folder: Path) -> int:
    """Add HEADER to each .py file below folder that lacks it; return how many were stamped."""
    stamped = 0
    for path in sorted(folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith(HEADER):
            path.write_text(HEADER + text, encoding="utf-8")
            stamped += 1
    return stamped


def main(argv: list[str]) -> int:
    """Stamp the folder named on the command line (default: the current one)."""
    folder = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    stamp(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
