"""The import layering of ARCHITECTURE.md, checked on the source of every module of each package."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = frozenset(
    {
        "omni_spec",
        "omni_client",
        "omni_image_client",
        "reference_server",
        "conformance",
        "scripts",
        "tests",
    }
)
# Which of our packages each package may import (itself included); scripts/ and tests/: anything.
ALLOWED: dict[str, frozenset[str]] = {
    "omni_spec": frozenset({"omni_spec"}),
    "omni_client": frozenset({"omni_client", "omni_spec", "omni_image_client"}),
    "reference_server": frozenset({"reference_server", "omni_spec"}),
    "conformance": OURS - {"reference_server", "scripts", "tests"},
}


def imported_packages(source: str) -> set[str]:
    """Top-level names of every absolute import in source, wherever it appears."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def forbidden_imports(package: str, source: str) -> set[str]:
    """Our packages that source, a module of package, imports against the layering."""
    return (imported_packages(source) & OURS) - ALLOWED[package]


def modules(package: str) -> Iterator[Path]:
    """Every Python file of the package."""
    yield from sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_follow_the_layering(package: str) -> None:
    """No module of the package imports one of our packages the layering forbids."""
    found = list(modules(package))
    assert found, f"no modules under {package}/"
    broken = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in found
        if (bad := forbidden_imports(package, path.read_text(encoding="utf-8")))
    }
    assert broken == {}


@pytest.mark.parametrize(
    ("package", "source", "expected"),
    [
        ("omni_spec", "import omni_client\n", {"omni_client"}),
        ("omni_spec", "from omni_image_client.models import Task\n", {"omni_image_client"}),
        ("omni_client", "def f():\n    from reference_server import app\n", {"reference_server"}),
        ("omni_client", "import tests.omni_client.canned as canned\n", {"tests"}),
        ("reference_server", "from omni_client import connect\n", {"omni_client"}),
        ("reference_server", "import scripts.soak, omni_spec\n", {"scripts"}),
        ("conformance", "from reference_server.launcher import start\n", {"reference_server"}),
        ("conformance", "from omni_client import connect\nimport omni_spec\n", set()),
        ("omni_client", "from . import errors\nimport httpx\nimport omni_spec\n", set()),
    ],
)
def test_checker_flags_forbidden_imports(package: str, source: str, expected: set[str]) -> None:
    """The checker names exactly the forbidden packages of a synthetic module, nested ones too."""
    assert forbidden_imports(package, source) == expected
