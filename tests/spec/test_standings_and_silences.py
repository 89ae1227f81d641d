"""Every x-rules line has a standing and a source; x-silences holds the contract's silences.

The silences are restated here by hand on purpose: this file is an oracle independent of the
spec, so a silence dropped from (or smuggled into) openapi.yaml fails a test.
"""

from __future__ import annotations

import pytest

from omni_spec import Rule, load_contract

# The contract's table of silences (docs/contract.md, "Silences"): id -> the reference server's
# side, in words a reader of the table recognises.
CONTRACT_SILENCES: dict[str, str] = {
    "watermark-info-without-enabled": "watermarking off",
    "callback-url-not-strict-uri": "delivers when reachable",
    "text-only-series": "accepts",
    "whitespace-only-prompt": "accepts",
    "prompt-reference-index-zero": "1201",
    "prompt-reference-two-brackets": "plain text",
    "reference-image-truncated-or-bomb": "1201",
    "jwt-exp-far-future": "maximum token lifetime",
    "jwt-extra-claims": "ignores",
    "lone-surrogates-and-nul": "lone surrogates with 1201, accepts NUL",
    "path-not-an-operation": "404 with 1202",
    "auto-ratio-elements-only": "1:1",
    "result-url-lifetime": "as long as the task is stored",
    "task-times-monotonic": "never decreases",
}

KLING_PAGES = {
    "Kling API: Omni-Image",
    "Kling API: authentication",
    "Kling API: callback protocol",
    "Kling API: error codes",
    "Kling API: capability map (2026-05-19)",
}
CONTRACT_SECTIONS = {
    "Endpoints",
    "Authentication",
    "Envelope",
    "Create body",
    "Task object",
    "Callback protocol",
    "Errors",
}
RULES = list(load_contract().rules.values())


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_has_a_standing_and_a_source(rule: Rule) -> None:
    """A documented line names a Kling page; a decided line names the contract section ruling."""
    if rule.standing == "documented":
        assert rule.source in KLING_PAGES, rule.id
    else:
        assert rule.standing == "decided", rule.id
        section = rule.source.removeprefix("contract: ").removesuffix(" [decided]")
        assert rule.source == f"contract: {section} [decided]", rule.id
        assert section in CONTRACT_SECTIONS, rule.id


def test_both_standings_occur() -> None:
    """The spec holds documented and decided lines (neither list is empty)."""
    contract = load_contract()
    assert contract.rules_with_standing("documented")
    assert contract.rules_with_standing("decided")


@pytest.mark.parametrize(("silence_id", "side"), sorted(CONTRACT_SILENCES.items()))
def test_contract_silence_is_in_x_silences(silence_id: str, side: str) -> None:
    """Each silence of the contract is listed, with the reference server's side."""
    silence = load_contract().silence(silence_id)
    assert side in silence.reference_server
    assert silence.text.strip()


def test_x_silences_holds_only_the_contract_silences() -> None:
    """No silence appears in the spec that the contract's table lacks."""
    assert set(load_contract().silences) == set(CONTRACT_SILENCES)


def test_no_rule_shares_an_id_with_a_silence() -> None:
    """A silence is never a rule: the id sets are disjoint."""
    contract = load_contract()
    assert not set(contract.rules) & set(contract.silences)
