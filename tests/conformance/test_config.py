"""Option precedence and parsing: flag > $OMNI_* > omni-conformance.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.config import ConfigError, SuiteConfig, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "omni-conformance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flag_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    """Each layer overrides the one below it, field by field."""
    path = _write(
        tmp_path, 'base-url = "http://file"\naccess_key = "ak-file"\nseed = 1\nmax-examples = 3\n'
    )
    env = {"OMNI_BASE_URL": "http://env", "OMNI_SEED": "2"}
    config = load_config({"base_url": "http://flag"}, environ=env, config_path=path)
    assert config.base_url == "http://flag"
    assert config.seed == 2
    assert config.access_key == "ak-file"
    assert config.max_examples == 3
    assert config.task_timeout == SuiteConfig().task_timeout


def test_conformance_table_and_lists(tmp_path: Path) -> None:
    """Keys may live under [conformance]; lists come from TOML arrays, commas or spaces."""
    path = _write(tmp_path, '[conformance]\nelement_ids = [1001, 1002]\nonly = ["auth-codes"]\n')
    config = load_config({}, environ={"OMNI_SKIP": "envelope, paging"}, config_path=path)
    assert config.element_ids == (1001, 1002)
    assert config.only == ("auth-codes",)
    assert config.skip == ("envelope", "paging")
    flagged = load_config(
        {"element_ids": "7,8"}, environ={"OMNI_ELEMENT_IDS": "1"}, config_path=path
    )
    assert flagged.element_ids == (7, 8)


def test_none_flags_do_not_override(tmp_path: Path) -> None:
    """An option left out on the command line (None) keeps the env value."""
    empty = _write(tmp_path, "")
    config = load_config({"access_key": None}, environ={"OMNI_ACCESS_KEY": "ak"}, config_path=empty)
    assert config.access_key == "ak"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"seed": "abc"}, "seed"),
        ({"element_ids": "1,x"}, "element_ids"),
        ({"nonsense": 1}, "nonsense"),
    ],
)
def test_bad_values_are_config_errors(flags: dict[str, object], message: str) -> None:
    """Unparseable or unknown options raise ConfigError naming the option."""
    with pytest.raises(ConfigError, match=message):
        load_config(flags, environ={}, config_path=None)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    """$OMNI_CONFORMANCE_CONFIG pointing nowhere is a usage error, not an empty config."""
    with pytest.raises(ConfigError):
        load_config({}, environ={"OMNI_CONFORMANCE_CONFIG": str(tmp_path / "missing.toml")})


def test_unknown_file_key_is_refused(tmp_path: Path) -> None:
    """A typo in the TOML file is an error, not silently ignored."""
    with pytest.raises(ConfigError, match="bsae_url"):
        load_config({}, environ={}, config_path=_write(tmp_path, 'bsae_url = "x"\n'))


def test_validate_requires_target_and_keys() -> None:
    """base_url, access_key and secret_key are required; the second user comes in pairs."""
    with pytest.raises(ConfigError, match="--base-url"):
        SuiteConfig(access_key="a", secret_key="s").validate()
    with pytest.raises(ConfigError, match="second"):
        SuiteConfig(
            base_url="http://x", access_key="a", secret_key="s", second_access_key="b"
        ).validate()
    SuiteConfig(base_url="http://x", access_key="a", secret_key="s").validate()


def test_redacted_hides_secrets() -> None:
    """Reports never carry secret keys, API keys or webhook secrets."""
    config = SuiteConfig(
        base_url="http://x", access_key="a", secret_key="s3cr3t", webhook_secret="whsec_x"
    )
    shown = config.redacted()
    assert "s3cr3t" not in str(shown)
    assert "whsec_x" not in str(shown)
    assert shown["access_key"] == "a"
