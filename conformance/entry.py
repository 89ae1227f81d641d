"""The `omni-conformance` console script: names the [conformance] extra when it is missing.

`pip install omni-image-kit` installs this package's files but not its dependencies, which come
with the extra; nothing beyond the standard library and `omni_spec` is imported until they are
known to be there.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from omni_spec.extras import missing_distributions, refuse_without_extra

SCRIPT = "omni-conformance"
EXTRA = "conformance"
OURS = frozenset({"omni_spec", "omni_image_client", "omni_client", "conformance"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run `conformance.cli.main`, or name the extra to install if a dependency is missing."""
    missing = missing_distributions(EXTRA)
    if missing:
        return refuse_without_extra(SCRIPT, EXTRA, missing)
    try:
        from conformance.cli import main as run
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in OURS:
            raise
        return refuse_without_extra(SCRIPT, EXTRA, [error.name or "a dependency"])
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
