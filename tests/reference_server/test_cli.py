"""CLI flag validation: bad values are clear parser errors before the server listens."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from reference_server.cli import build_parser, main, settings_from_args

GOOD_SECRET = "whsec_" + base64.b64encode(b"a webhook key").decode()


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [
        ("abc", "form whsec_<base64>"),
        ("whsec_!!!!", "padded standard Base64"),
        ("whsec_abc", "padded standard Base64"),  # valid alphabet, missing padding
        ("whsec_", "is empty"),
    ],
)
def test_malformed_webhook_secret_is_refused(secret: str, fragment: str) -> None:
    """A webhook secret that is not whsec_ + padded Base64 of a non-empty key is a ValueError."""
    args = build_parser().parse_args(["--webhook-secret", secret])
    with pytest.raises(ValueError, match=fragment):
        settings_from_args(args, 8000)


def test_well_formed_webhook_secret_is_accepted() -> None:
    """whsec_ + padded Base64 is taken as the signing secret."""
    args = build_parser().parse_args(["--webhook-secret", GOOD_SECRET])
    assert settings_from_args(args, 8000).webhook_secret == GOOD_SECRET


def test_main_exits_2_on_malformed_secret_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() with whsec_!!!! exits with a usage error (2) and never prints the listening line."""
    argv = ["--host", "127.0.0.1", "--port", "0", "--database", str(tmp_path / "db.sqlite3")]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--webhook-secret", "whsec_!!!!"])
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and "Base64" in err and "listening" not in out


def test_several_webhook_secrets_are_taken_newest_first() -> None:
    """A comma-separated --webhook-secret is a key rotation: every secret kept, in order."""
    old = "whsec_" + base64.b64encode(b"the old webhook key").decode()
    args = build_parser().parse_args(["--webhook-secret", f"{GOOD_SECRET}, {old}"])
    assert settings_from_args(args, 8000).webhook_secrets == (GOOD_SECRET, old)


def test_a_malformed_secret_among_several_is_refused() -> None:
    """Each secret of a rotation is checked: a bad second one is a clear ValueError."""
    args = build_parser().parse_args(["--webhook-secret", f"{GOOD_SECRET},whsec_abc"])
    with pytest.raises(ValueError, match="padded standard Base64"):
        settings_from_args(args, 8000)
