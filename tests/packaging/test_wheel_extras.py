"""The wheel serves each user: the base install is the client, `[server]` and `[conformance]` add
their console scripts, each in a fresh venv outside the checkout loading the spec packed inside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_MODULES = ("starlette", "uvicorn", "psycopg")
CONFORMANCE_MODULES = ("schemathesis", "hypothesis", "pytest")
# Variables that would point an installed package back at the checkout.
LEAKY = ("PYTHONPATH", "VIRTUAL_ENV", "OMNI_KIT_ROOT", "OMNI_SPEC_PATH", "PYTHONHOME")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    """A fresh venv with the wheel and one extra installed, and where commands run in it."""

    root: Path
    workdir: Path

    def env(self) -> Mapping[str, str]:
        """The environment of a user of this venv: its bin/ first, nothing of the checkout."""
        env = {k: v for k, v in os.environ.items() if k not in LEAKY}
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a command of the venv outside the checkout."""
        return subprocess.run(
            [str(self.root / "bin" / command[0]), *command[1:]],
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def importable(self, modules: tuple[str, ...]) -> dict[str, bool]:
        """Which of modules the venv's Python can find."""
        script = (
            "import importlib.util, json, sys; "
            "print(json.dumps({m: importlib.util.find_spec(m) is not None for m in sys.argv[1:]}))"
        )
        result = self.run("python", "-c", script, *modules)
        assert result.returncode == 0, result.stderr
        found: dict[str, bool] = json.loads(result.stdout)
        return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once from the checkout, in a wheelhouse that also holds every
    dependency of all extras (fetched once through the machine's configured indexes), so that
    each fresh venv installs from it without resolving against the indexes again."""
    house = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "-w", str(house), f"{ROOT}[server,conformance]"],
        check=True,
        capture_output=True,
        timeout=600,
    )  # fmt: skip
    (built,) = house.glob("omni_image_kit-*.whl")
    return built


def install(wheel: Path, extra: str, base: Path) -> Installed:
    """A fresh venv (no system site-packages) with `wheel[extra]` from the wheel's wheelhouse."""
    root = base / f"venv-{extra or 'base'}"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(root)
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    workdir = base / f"home-{extra or 'base'}"
    workdir.mkdir()
    installed = Installed(root, workdir)
    result = installed.run(
        "python", "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
        "--no-index", "--find-links", str(wheel.parent), target,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return installed


def check_spec_comes_from_the_wheel(venv_: Installed) -> None:
    """The venv and its working directory are outside the checkout; omni_spec loads the copy of
    openapi.yaml packed in the wheel."""
    assert ROOT not in venv_.root.parents and ROOT not in venv_.workdir.parents
    result = venv_.run("python", "-c", "import omni_spec; print(omni_spec.spec_path())")
    assert result.returncode == 0, result.stderr
    spec = Path(result.stdout.strip())
    assert venv_.root in spec.parents and spec.name == "openapi.yaml"
    count = "import omni_spec; print(len(omni_spec.load_contract().rules))"
    rules = venv_.run("python", "-c", count)
    assert rules.returncode == 0 and int(rules.stdout) > 0, rules.stderr


def check_client_cli(venv_: Installed) -> None:
    """`omni-image --help` works."""
    result = venv_.run("omni-image", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: omni-image" in result.stdout


def check_refused_without_extra(venv_: Installed, script: str, *args: str, extra: str) -> None:
    """The script exits 2 naming the extra to install, with no traceback."""
    result = venv_.run(script, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"omni-image-kit[{extra}]" in result.stderr
    assert "Traceback" not in result.stderr


# One test per install, so that `pytest -n 2` never builds the same venv on two workers.
def test_base_install_is_the_client_only(wheel: Path, tmp_path: Path) -> None:
    """`pip install omni-image-kit`: the client CLI works; the server's and the suite's
    dependencies are absent and their scripts say which extra to install."""
    venv_ = install(wheel, "", tmp_path)
    check_spec_comes_from_the_wheel(venv_)
    check_client_cli(venv_)
    found = venv_.importable(SERVER_MODULES + CONFORMANCE_MODULES)
    assert not any(found.values()), found
    check_refused_without_extra(venv_, "omni-reference-server", "--help", extra="server")
    check_refused_without_extra(venv_, "omni-conformance", "--list-checks", extra="conformance")


def test_server_extra_runs_the_reference_server_cli(wheel: Path, tmp_path: Path) -> None:
    """`[server]`: `omni-reference-server --help` works; the suite's dependencies are absent."""
    venv_ = install(wheel, "server", tmp_path)
    check_spec_comes_from_the_wheel(venv_)
    check_client_cli(venv_)
    assert all(venv_.importable(SERVER_MODULES).values())
    assert not any(venv_.importable(CONFORMANCE_MODULES).values())
    result = venv_.run("omni-reference-server", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: omni-reference-server" in result.stdout
    check_refused_without_extra(venv_, "omni-conformance", "--list-checks", extra="conformance")


def test_conformance_extra_lists_checks_without_the_server(wheel: Path, tmp_path: Path) -> None:
    """`[conformance]`: `omni-conformance --list-checks` lists the spec's checks; the suite needs
    none of the server's dependencies."""
    venv_ = install(wheel, "conformance", tmp_path)
    check_spec_comes_from_the_wheel(venv_)
    check_client_cli(venv_)
    assert all(venv_.importable(CONFORMANCE_MODULES).values())
    assert not any(venv_.importable(SERVER_MODULES).values())
    result = venv_.run("omni-conformance", "--list-checks")
    assert result.returncode == 0, result.stderr
    assert "references-total-max-10" in result.stdout
    check_refused_without_extra(venv_, "omni-reference-server", "--help", extra="server")
