"""The Omni-Image conformance suite: points at any server claiming to implement the contract.

Layers (who imports whom): `config` -> `registry`/`violation` -> `http`/`tokens`/`receiver`/
`strategies` -> `context` -> `checks.*` (one module per topic, each check named after the spec's
`x-rules` id or a documented contract-line id) -> `runner` (in-process `run_suite`) -> `report`,
`junit`, `document` -> `cli` / `pytest_plugin`. It imports `omni_spec` (the contract) and never the
reference server: every check talks HTTP only.

>>> from conformance import SuiteConfig, run_suite
>>> config = SuiteConfig(base_url="http://127.0.0.1:8000", access_key="ak", secret_key="sk")
>>> result = run_suite(config)  # doctest: +SKIP
>>> result.exit_code  # doctest: +SKIP
0
"""

from conformance.config import ConfigError, SuiteConfig, load_config
from conformance.registry import SUITE_PHASE_IDS, CheckSpec, all_checks, conformance_check
from conformance.runner import CheckOutcome, Outcome, SuiteResult, TargetUnreachable, run_suite
from conformance.violation import SkipCheck, Violation

__all__ = [
    "SUITE_PHASE_IDS",
    "CheckOutcome",
    "CheckSpec",
    "ConfigError",
    "Outcome",
    "SkipCheck",
    "SuiteConfig",
    "SuiteResult",
    "TargetUnreachable",
    "Violation",
    "all_checks",
    "conformance_check",
    "load_config",
    "run_suite",
]
