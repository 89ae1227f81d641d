"""The whole catalogue of planted deviations, in suite order (one module per group of areas)."""

from __future__ import annotations

from collections.abc import Mapping

from tests.mutants.catalogue_callbacks import CALLBACK_MUTANTS
from tests.mutants.catalogue_protocol import PROTOCOL_MUTANTS
from tests.mutants.catalogue_requests import REQUEST_MUTANTS
from tests.mutants.catalogue_tasks import TASK_MUTANTS
from tests.mutants.mutant import Mutant, catalogue_index

CONTROL = "control"  # the id that runs the reference server unmutated

CATALOGUE: list[Mutant] = [*PROTOCOL_MUTANTS, *REQUEST_MUTANTS, *TASK_MUTANTS, *CALLBACK_MUTANTS]
MUTANTS: Mapping[str, Mutant] = catalogue_index(CATALOGUE)
