"""Is `.venv` completely installed? The Makefile's `install` asks this before every target.

Run with the system Python (standard library only), since the venv may be broken:

    python3 scripts/venv_state.py check .venv   # prints ok, reinstall or rebuild; why on stderr
    python3 scripts/venv_state.py stamp .venv   # after a complete install: verify, then stamp

The stamp holds the SHA-256 of the `pyproject.toml` it was installed from and is written
(atomically) only once `pip install` has finished and every expected executable is in `bin/`.
So an interrupted install leaves no stamp and the next `make` installs again (`reinstall`: pip
resumes where it stopped); a venv whose Python does not run or whose `bin/` lacks a script is
made afresh (`rebuild`: pip would not re-create a script of a package it considers installed).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from enum import StrEnum
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP_NAME = ".installed"
# Tools of the `[dev]` extra that the Makefile runs from bin/ (the project's own console scripts
# come from pyproject's [project.scripts]).
TOOLS = ("pytest", "ruff", "mypy", "openapi-python-client", "openapi-spec-validator", "st")


class State(StrEnum):
    """What `make install` must do to the venv."""

    OK = "ok"
    REINSTALL = "reinstall"
    REBUILD = "rebuild"


def stamp_text(pyproject: Path) -> str:
    """The stamp content for this pyproject.toml: its SHA-256."""
    return hashlib.sha256(pyproject.read_bytes()).hexdigest() + "\n"


def expected_executables(pyproject: Path) -> tuple[str, ...]:
    """Every bin/ entry a complete install has: python, pip, the tools and our console scripts."""
    scripts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["scripts"]
    return ("python", "pip", *TOOLS, *sorted(scripts))


def python_runs(venv: Path) -> bool:
    """The venv's Python starts and imports pip."""
    python = venv / "bin" / "python"
    if not os.access(python, os.X_OK):
        return False
    try:
        done = subprocess.run(
            [str(python), "-c", "import pip"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def missing_executables(venv: Path, pyproject: Path) -> list[str]:
    """Expected bin/ entries that are absent or not executable."""
    return [
        name
        for name in expected_executables(pyproject)
        if not os.access(venv / "bin" / name, os.X_OK)
    ]


def venv_state(venv: Path, pyproject: Path) -> tuple[State, str]:
    """What the venv needs, and why."""
    if not python_runs(venv):
        return State.REBUILD, f"{venv}/bin/python is missing or does not run"
    stamp = venv / STAMP_NAME
    if not stamp.is_file():
        return State.REINSTALL, f"{stamp} is missing (no install finished)"
    if stamp.read_text(encoding="utf-8") != stamp_text(pyproject):
        return State.REINSTALL, f"{stamp} is from another pyproject.toml"
    missing = missing_executables(venv, pyproject)
    if missing:
        return State.REBUILD, f"{venv}/bin lacks {', '.join(missing)}"
    return State.OK, "complete"


def write_stamp(venv: Path, pyproject: Path) -> None:
    """Stamp the venv installed; refuse (ValueError) if its Python or bin/ is incomplete."""
    if not python_runs(venv):
        raise ValueError(f"{venv}/bin/python does not run; not stamping")
    missing = missing_executables(venv, pyproject)
    if missing:
        raise ValueError(f"{venv}/bin lacks {', '.join(missing)}; not stamping")
    partial = venv / (STAMP_NAME + ".partial")
    partial.write_text(stamp_text(pyproject), encoding="utf-8")
    partial.replace(venv / STAMP_NAME)


def main(argv: list[str]) -> int:
    """`check VENV` prints the state; `stamp VENV` stamps a complete install. Exit 2 on misuse."""
    if len(argv) != 2 or argv[0] not in {"check", "stamp"}:
        print("usage: venv_state.py check|stamp VENV", file=sys.stderr)
        return 2
    command, venv = argv[0], Path(argv[1])
    pyproject = ROOT / "pyproject.toml"
    if command == "check":
        state, reason = venv_state(venv, pyproject)
        print(state.value)
        if state is not State.OK:
            print(f"make install: {state.value}: {reason}", file=sys.stderr)
        return 0
    try:
        write_stamp(venv, pyproject)
    except ValueError as exc:
        print(f"make install: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
