"""Which distributions of an omni-image-kit extra are not installed (for the console scripts).

`omni_spec` is in every install, so the `omni-reference-server` and `omni-conformance` scripts ask
it, before importing anything else, whether their extra is complete, and print which one to
install instead of a traceback. The extra's requirements are read from the installed metadata.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

DISTRIBUTION = "omni-image-kit"
_EXTRA_REQUIREMENT = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)[^;]*;\s*extra\s*==\s*['\"](?P<extra>[^'\"]+)['\"]\s*$"
)


def missing_distributions(extra: str, distribution: str = DISTRIBUTION) -> list[str]:
    """Requirements of `distribution[extra]` that are not installed; [] when it is not installed
    itself (a plain checkout on sys.path: nothing to compare with)."""
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return []
    missing: list[str] = []
    for requirement in requirements:
        match = _EXTRA_REQUIREMENT.match(requirement)
        if not match or match["extra"] != extra:
            continue
        try:
            metadata.distribution(match["name"])
        except metadata.PackageNotFoundError:
            missing.append(match["name"])
    return missing


def refuse_without_extra(script: str, extra: str, missing: list[str]) -> int:
    """Print the one-line error naming the extra to install; the script's exit code (2)."""
    print(
        f"{script}: error: needs the [{extra}] extra ({', '.join(missing)} not installed): "
        f"pip install '{DISTRIBUTION}[{extra}]'",
        file=sys.stderr,
    )
    return 2
