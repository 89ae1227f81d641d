"""The documentation's client examples are the files under examples/, and they run against the server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reference_server.launcher import RunningServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BLOCK = re.compile(r"<!-- example: (?P<path>\S+) -->\n```[a-z]*\n(?P<code>.*?)```", re.DOTALL)
EXPECTED_OUTPUT = {
    "client_create_task.py": "submitted",
    "client_wait.py": "status: succeed",
    "client_errors.py": "failed:",
    "client_verify_callback.py": "refused:",
    "client_reference_image.py": "reference-image-aspect-ratio",
    "client_cli.sh": "downloaded results",
}


# Every Markdown file that may quote an example; docs/client.md must quote every one.
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
CLIENT_DOC = ROOT / "docs" / "client.md"


def example_blocks(document: Path) -> dict[str, str]:
    """The example blocks of one Markdown document, by the file they claim to be."""
    text = document.read_text(encoding="utf-8")
    return {match["path"]: match["code"] for match in BLOCK.finditer(text)}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_document_blocks_equal_example_files(document: Path) -> None:
    """Every example block of README.md and docs/*.md is verbatim the example file it names."""
    for path, code in example_blocks(document).items():
        assert (ROOT / path).read_text(encoding="utf-8") == code, f"{document.name}: {path}"


def test_readme_quotes_examples() -> None:
    """The front door shows at least the client and the CLI example, each a real file."""
    assert {"examples/client_create_task.py", "examples/client_cli.sh"} <= set(
        example_blocks(ROOT / "README.md")
    )


def test_every_client_example_is_in_the_client_doc() -> None:
    """Each examples/client_* file appears in docs/client.md, and each has an expected output."""
    files = {f"examples/{path.name}" for path in EXAMPLES.glob("client_*")}
    assert files == set(example_blocks(CLIENT_DOC))
    assert {Path(path).name for path in files} == set(EXPECTED_OUTPUT)


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTPUT))
def test_example_runs_against_reference_server(
    name: str, running_server: RunningServer, tmp_path: Path
) -> None:
    """The example exits 0 against the reference server and prints what it promises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLING_")}
    env["OMNI_BASE_URL"] = running_server.base_url
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TMPDIR"] = str(tmp_path)
    command = (
        ["bash", str(EXAMPLES / name)]
        if name.endswith(".sh")
        else [sys.executable, str(EXAMPLES / name)]
    )
    result = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert EXPECTED_OUTPUT[name] in result.stdout
