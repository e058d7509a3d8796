"""mdnet.toml: defaults, validation that names every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdnet.config import Config, config_from_mapping, load_config
from mdnet.errors import ConfigError
from mdnet.model import Duration


def test_missing_file_gives_the_spec_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.contact_dirs == ("people",)
    assert (config.daily_dir, config.log_heading, config.file_names) == ("daily", "Log", "title")
    assert config.default_cadence_duration is None
    assert config.upcoming_days == 7


def test_values_are_read(tmp_path: Path) -> None:
    (tmp_path / "mdnet.toml").write_text(
        'contact_dirs = ["people", "work/contacts/"]\ndefault_cadence = "90d"\nfile_names = "slug"\n'
        'upcoming_days = 14\n[cadence]\nclient = "30d"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.contact_dirs == ("people", "work/contacts")
    assert config.default_cadence_duration == Duration(90, "d")
    assert config.upcoming_days == 14
    assert config.extra["cadence"] == {"client": "30d"}


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping({"contacts_dirs": ["x"], "default_cadence": "often", "upcoming_days": "7",
                             "file_names": "kebab", "daily_dir": "../outside"})  # fmt: skip
    message = str(info.value)
    for fragment in ("contacts_dirs", "default_cadence", "upcoming_days", "file_names", "daily_dir"):
        assert fragment in message
    assert message.startswith("mdnet.toml: ")


def test_malformed_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "mdnet.toml").write_text("contact_dirs = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_config(tmp_path)


def test_fingerprint_changes_with_what_the_index_depends_on() -> None:
    assert Config().fingerprint() == Config(upcoming_days=30).fingerprint()
    assert Config().fingerprint() != Config(log_heading="Interactions").fingerprint()


def test_a_byte_order_mark_and_crlf_are_read_like_the_notes(tmp_path: Path) -> None:
    """Windows editors write mdnet.toml with a BOM and CRLF; tomllib refused the BOM with
    'Invalid statement (at line 1, column 1)', an error about a character nobody can see."""
    (tmp_path / "mdnet.toml").write_bytes(b'\xef\xbb\xbfupcoming_days = 3\r\ndaily_dir = "journal"\r\n')
    config = load_config(tmp_path)
    assert (config.upcoming_days, config.daily_dir) == (3, "journal")
