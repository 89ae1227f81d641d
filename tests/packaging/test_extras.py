"""`omni_spec.extras`: which requirements of an extra are missing, read from installed metadata."""

from __future__ import annotations

from importlib import metadata

import pytest

from omni_spec import extras

REQUIRES = [
    "httpx<0.29,>=0.27",
    "starlette<2,>=0.40; extra == 'server'",
    "psycopg[binary]<4,>=3.1; extra == 'server'",
    'schemathesis<5,>=4.3; extra == "conformance"',
]


@pytest.fixture
def installed_only(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Fake metadata: omni-image-kit requires REQUIRES; only the names in the set are installed."""
    present = {"httpx", "starlette"}

    def requires(name: str) -> list[str]:
        if name != extras.DISTRIBUTION:
            raise metadata.PackageNotFoundError(name)
        return REQUIRES

    def distribution(name: str) -> object:
        if name not in present:
            raise metadata.PackageNotFoundError(name)
        return object()

    monkeypatch.setattr(metadata, "requires", requires)
    monkeypatch.setattr(metadata, "distribution", distribution)
    return present


def test_missing_requirements_of_one_extra(installed_only: set[str]) -> None:
    """Only the extra's own requirements count; an extras marker on a name is stripped."""
    assert extras.missing_distributions("server") == ["psycopg"]
    assert extras.missing_distributions("conformance") == ["schemathesis"]
    installed_only.update({"psycopg", "schemathesis"})
    assert extras.missing_distributions("server") == []
    assert extras.missing_distributions("conformance") == []


def test_not_installed_distribution_has_nothing_missing(installed_only: set[str]) -> None:
    """Run from a checkout without metadata: nothing to compare with, nothing reported."""
    assert extras.missing_distributions("server", distribution="not-installed") == []


def test_refusal_names_the_extra(capsys: pytest.CaptureFixture[str]) -> None:
    """The message says what is missing and the pip command that fixes it; exit code 2."""
    assert extras.refuse_without_extra("omni-x", "server", ["starlette"]) == 2
    err = capsys.readouterr().err
    assert "starlette not installed" in err and "pip install 'omni-image-kit[server]'" in err
