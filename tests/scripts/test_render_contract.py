"""docs/contract.md is rendered from openapi.yaml: every rule, silence and code appears; drift fails."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from omni_spec import Contract, load_contract
from scripts import render_contract


def rendered() -> str:
    """The contract text the current spec renders."""
    template = render_contract.TEMPLATE.read_text(encoding="utf-8")
    return render_contract.render(load_contract(), template)


def test_every_rule_silence_and_code_is_in_the_tables() -> None:
    """Each x-rules id (with standing and source), x-silences id and error code has a row."""
    text = rendered()
    contract = load_contract()
    for rule in contract.rules.values():
        assert f"| `{rule.id}` | {rule.standing} | {rule.source} |" in text, rule.id
    for silence in contract.silences.values():
        assert f"| `{silence.id}` |" in text, silence.id
    for row in contract.error_codes.values():
        assert f"| {row.code} | {row.status} |" in text, row.code


def test_a_changed_spec_renders_a_different_contract() -> None:
    """Editing a rule's text in the spec changes the rendered file (the tables are not canned)."""
    document = copy.deepcopy(dict(load_contract().document))
    document["x-rules"][0]["text"] = "A text nobody wrote in the contract."
    template = render_contract.TEMPLATE.read_text(encoding="utf-8")
    assert "A text nobody wrote" in render_contract.render(Contract(document), template)
    assert "A text nobody wrote" not in rendered()


def test_check_mode_reports_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check exits 1 on a stale docs/contract.md and 0 once it is rewritten."""
    target = tmp_path / "contract.md"
    target.write_text("stale\n", encoding="utf-8")
    monkeypatch.setattr(render_contract, "OUTPUT", target)
    monkeypatch.setattr(render_contract, "ROOT", tmp_path)
    assert render_contract.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert render_contract.main([]) == 0
    assert render_contract.main(["--check"]) == 0


def test_the_committed_contract_is_current() -> None:
    """docs/contract.md in the repository equals what the spec renders."""
    assert render_contract.OUTPUT.read_text(encoding="utf-8") == rendered()


def test_markdown_cells_escape_pipes_and_angle_brackets() -> None:
    """A pipe cannot split a cell and <<<image_N>>> is not read as HTML."""
    assert render_contract.cell("a | b <<<image_1>>>") == "a \\| b &lt;&lt;&lt;image_1>>>"
