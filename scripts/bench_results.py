"""The sections of benchmarks/results.md: each benchmark owns the block between its markers.

`<!-- bench: NAME -->` ... `<!-- /bench: NAME -->`; a run replaces its own block and leaves every
other section as it was (appending the block when the file or the section does not exist yet).
"""

from __future__ import annotations

from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent.parent / "benchmarks" / "results.md"
NEW_FILE_HEADER = "# Benchmark results\n"


def section_markers(name: str) -> tuple[str, str]:
    """The opening and closing marker of section `name`."""
    return f"<!-- bench: {name} -->", f"<!-- /bench: {name} -->"


def write_section(name: str, text: str, results: Path = RESULTS_FILE) -> None:
    """Replace the block of section `name` in `results` with `text` (append it if missing)."""
    start, end = section_markers(name)
    body = text.strip("\n")
    block = f"{start}\n{body}\n{end}"
    current = results.read_text(encoding="utf-8") if results.exists() else NEW_FILE_HEADER
    begin = current.find(start)
    finish = current.find(end, begin + len(start)) if begin != -1 else -1
    if finish != -1:
        current = current[:begin] + block + current[finish + len(end) :]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(current, encoding="utf-8")
