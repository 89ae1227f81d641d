"""benchmarks/results.md sections: a run replaces its own block and leaves the others alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.bench_results import NEW_FILE_HEADER, write_section


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """A results file holding two sections around free text."""
    path = tmp_path / "benchmarks" / "results.md"
    path.parent.mkdir()
    path.write_text(
        "# Benchmark results\n\nintro\n\n"
        "<!-- bench: client -->\nold client\n<!-- /bench: client -->\n\nbetween\n\n"
        "<!-- bench: server -->\nold server\nline 2\n<!-- /bench: server -->\n\nouttro\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("name", "kept"),
    [("client", "old server"), ("server", "old client")],
)
def test_replaces_only_the_named_block(results: Path, name: str, kept: str) -> None:
    """The named block gets the new text between its markers; every other line stays."""
    write_section(name, f"\nnew {name}\n\n", results)
    text = results.read_text(encoding="utf-8")
    assert f"<!-- bench: {name} -->\nnew {name}\n<!-- /bench: {name} -->" in text
    assert f"old {name}" not in text
    assert kept in text
    for line in ("intro", "between", "outtro"):
        assert line in text


def test_rewriting_the_same_text_changes_nothing(results: Path) -> None:
    """Writing a section twice gives the same file as writing it once."""
    write_section("server", "figures", results)
    once = results.read_text(encoding="utf-8")
    write_section("server", "figures", results)
    assert results.read_text(encoding="utf-8") == once


def test_missing_section_is_appended(results: Path) -> None:
    """A section not in the file yet is appended after everything else."""
    before = results.read_text(encoding="utf-8")
    write_section("soak", "soak figures", results)
    expected = (
        before.rstrip("\n") + "\n\n<!-- bench: soak -->\nsoak figures\n<!-- /bench: soak -->\n"
    )
    assert results.read_text(encoding="utf-8") == expected


def test_missing_file_is_created_with_a_header(tmp_path: Path) -> None:
    """Without a results file, one is created: the header, then the section."""
    path = tmp_path / "new" / "results.md"
    write_section("conformance", "numbers", path)
    assert path.read_text(encoding="utf-8") == (
        NEW_FILE_HEADER + "\n<!-- bench: conformance -->\nnumbers\n<!-- /bench: conformance -->\n"
    )


def test_marker_text_of_another_section_is_not_matched(results: Path) -> None:
    """Writing section `serve` does not touch section `server` (markers match whole names)."""
    write_section("serve", "x", results)
    text = results.read_text(encoding="utf-8")
    assert "old server\nline 2" in text
    assert text.endswith("<!-- bench: serve -->\nx\n<!-- /bench: serve -->\n")
