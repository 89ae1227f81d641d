"""The contract, read from openapi.yaml: the one place code gets the spec's rules from.

Everything else in the project (reference server, conformance suite, client helpers, tests) reads
schemas, `x-rules` (with their standing and source), `x-silences`, the error table and the
capability map through this package, so that no rule of the contract is restated by hand. The
`x-` extensions are validated when the spec is loaded. It imports nothing from the project.

>>> from omni_spec import load_contract
>>> contract = load_contract()
>>> contract.rule("references-total-max-10").params["max_total"]
10
"""

from omni_spec._contract import (
    Capability,
    Contract,
    ErrorCode,
    Lifecycle,
    Rule,
    Silence,
    Standing,
    load_contract,
    spec_path,
)
from omni_spec._extensions import SpecExtensionError

__all__ = [
    "Capability",
    "Contract",
    "ErrorCode",
    "Lifecycle",
    "Rule",
    "Silence",
    "SpecExtensionError",
    "Standing",
    "load_contract",
    "spec_path",
]
