"""Tests of the omni_client package surface: __all__, doctests, layering."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import omni_client

MODULES = sorted(info.name for info in pkgutil.iter_modules(omni_client.__path__))
ALLOWED_PROJECT_IMPORTS = {"omni_client", "omni_spec", "omni_image_client"}
PROJECT_PACKAGES = {
    "omni_client",
    "omni_spec",
    "omni_image_client",
    "reference_server",
    "conformance",
}


def test_all_is_sorted_and_importable() -> None:
    """__all__ is explicitly sorted and every name in it exists."""
    assert omni_client.__all__ == sorted(omni_client.__all__)
    for name in omni_client.__all__:
        assert hasattr(omni_client, name), name


@pytest.mark.filterwarnings("ignore::jwt.InsecureKeyLengthWarning")
@pytest.mark.parametrize("module_name", MODULES)
def test_doctests_pass(module_name: str) -> None:
    """The runnable examples in docstrings pass."""
    module = importlib.import_module(f"omni_client.{module_name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("module_name", MODULES)
def test_layering(module_name: str) -> None:
    """omni_client imports only omni_spec and omni_image_client among the project's packages."""
    source = Path(omni_client.__path__[0], f"{module_name}.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported & PROJECT_PACKAGES <= ALLOWED_PROJECT_IMPORTS
