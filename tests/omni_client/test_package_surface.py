"""Tests of the omni_client package surface: __all__ and doctests (layering: tests/test_layering.py)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import omni_client

MODULES = sorted(info.name for info in pkgutil.iter_modules(omni_client.__path__))


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
