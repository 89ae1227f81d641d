"""`make install`'s stamp logic: stamped only after a complete install, interrupted ones recover."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from scripts import venv_state
from scripts.venv_state import State

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pip whose bin/ is filled with stand-in scripts: a finished install, cheaply."""
    root = tmp_path_factory.mktemp("venv") / ".venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(root)
    return root


@pytest.fixture
def complete(bare_venv: Path) -> Path:
    """The venv with every expected executable present (stand-ins) and no stamp yet."""
    for name in venv_state.expected_executables(PYPROJECT):
        path = bare_venv / "bin" / name
        if not path.exists():
            path.write_text("#!/bin/sh\n", encoding="utf-8")
            path.chmod(0o755)
    (bare_venv / venv_state.STAMP_NAME).unlink(missing_ok=True)
    return bare_venv


def test_missing_venv_is_rebuilt(tmp_path: Path) -> None:
    """No venv at all (or a half-created one without python): rebuild."""
    assert venv_state.venv_state(tmp_path / ".venv", PYPROJECT)[0] is State.REBUILD
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / venv_state.STAMP_NAME).write_text(venv_state.stamp_text(PYPROJECT))
    assert venv_state.venv_state(tmp_path / ".venv", PYPROJECT)[0] is State.REBUILD


def test_interrupted_install_has_no_stamp_and_is_reinstalled(complete: Path) -> None:
    """A venv whose pip install never finished (no stamp) is installed again, not trusted."""
    state, reason = venv_state.venv_state(complete, PYPROJECT)
    assert state is State.REINSTALL
    assert "missing" in reason


def test_stamp_after_complete_install_is_ok(complete: Path) -> None:
    """Stamping a complete venv records this pyproject.toml; the venv then counts as installed."""
    venv_state.write_stamp(complete, PYPROJECT)
    assert (complete / venv_state.STAMP_NAME).read_text() == venv_state.stamp_text(PYPROJECT)
    assert venv_state.venv_state(complete, PYPROJECT) == (State.OK, "complete")


def test_stamp_from_another_pyproject_means_reinstall(complete: Path, tmp_path: Path) -> None:
    """An older stamp (the old pre-hash `touch` stamp included) triggers an install."""
    (complete / venv_state.STAMP_NAME).write_text("")
    assert venv_state.venv_state(complete, PYPROJECT)[0] is State.REINSTALL
    other = tmp_path / "pyproject.toml"
    other.write_text(PYPROJECT.read_text() + "\n# changed\n")
    venv_state.write_stamp(complete, PYPROJECT)
    assert venv_state.venv_state(complete, other)[0] is State.REINSTALL


def test_broken_bin_is_rebuilt_and_never_stamped(complete: Path) -> None:
    """A stamped venv whose bin/ lost a script (the `../.venv/bin/mypy: No such file` case) is
    rebuilt, and an incomplete bin/ refuses the stamp."""
    venv_state.write_stamp(complete, PYPROJECT)
    (complete / "bin" / "mypy").unlink()
    state, reason = venv_state.venv_state(complete, PYPROJECT)
    assert state is State.REBUILD and "mypy" in reason
    (complete / venv_state.STAMP_NAME).unlink()
    with pytest.raises(ValueError, match="mypy"):
        venv_state.write_stamp(complete, PYPROJECT)
    assert not (complete / venv_state.STAMP_NAME).exists()


def test_python_that_does_not_run_means_rebuild(complete: Path, tmp_path: Path) -> None:
    """A bin/python that cannot start pip is rebuilt, whatever the stamp says."""
    fake = tmp_path / ".venv"
    (fake / "bin").mkdir(parents=True)
    for name in venv_state.expected_executables(PYPROJECT):
        (fake / "bin" / name).write_text("#!/bin/sh\nexit 1\n")
        (fake / "bin" / name).chmod(0o755)
    (fake / venv_state.STAMP_NAME).write_text(venv_state.stamp_text(PYPROJECT))
    assert venv_state.venv_state(fake, PYPROJECT)[0] is State.REBUILD


def test_expected_executables_include_console_scripts_and_tools() -> None:
    """The bin/ list holds the project's console scripts and the tools the Makefile calls."""
    names = venv_state.expected_executables(PYPROJECT)
    assert {"omni-image", "omni-reference-server", "omni-conformance", "mypy", "ruff"} <= set(names)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The script run as the Makefile runs it: a file, by another Python, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, env=env
    )


def test_cli_prints_the_state_and_refuses_misuse(complete: Path) -> None:
    """`check` prints the state word the Makefile reads; a wrong command is a usage error."""
    script = str(ROOT / "scripts" / "venv_state.py")
    done = run(script, "check", str(complete))
    assert (done.returncode, done.stdout) == (0, "reinstall\n")
    assert "make install: reinstall" in done.stderr
    stamped = run(script, "stamp", str(complete))
    assert stamped.returncode == 0, stamped.stderr
    bad = run(script, "wipe")
    assert bad.returncode == 2 and "usage" in bad.stderr
