"""mdnet.toml: defaults, validation that names every problem at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mdnet.config import Config, config_from_mapping
from mdnet.core.model import Duration
from mdnet.errors import ConfigError
from mdnet.store.layout import load_config


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


@pytest.mark.parametrize(
    ("written", "folder"),
    [("./team", "team"), ("team//x", "team/x"), ("team/./x/", "team/x"), (" people ", "people"), ("./a/../b", None),
     (".", "."), ("./", "."), ("/people", None), ("..", None), ("a/..", None), (".people", None),
     ("work/.hidden", None), (".obsidian", None)],
)  # fmt: skip
def test_folders_are_spelled_as_the_scan_spells_paths(written: str, folder: str | None) -> None:
    """A contact folder is compared with the scan's paths (``team/x/Ann.md``): ``./team`` must be ``team``,
    or no note is ever in it; ``.`` is the vault root; a dot folder is never scanned (``.obsidian``,
    ``.trash``) and is refused."""
    for key in ("contact_dirs", "daily_dir"):
        if key == "daily_dir" and (folder is None or folder == ".") and ".." not in written and written[:1] != "/":
            continue  # `mdnet daily` refuses '.' and hidden daily folders itself (tests/system/test_daily_note.py)
        if folder is None:
            with pytest.raises(ConfigError, match=key):
                config_from_mapping({key: written})
        else:
            config = config_from_mapping({key: written})
            assert getattr(config, key) == (folder if key == "daily_dir" else (folder,))


def test_a_contact_folder_written_with_a_leading_dot_slash_holds_its_contacts(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "mdnet.toml").write_text('contact_dirs = ["./team"]\n', encoding="utf-8")
    (tmp_path / "team" / "x").mkdir(parents=True)
    (tmp_path / "team" / "x" / "Ann.md").write_text("---\ncadence: 1w\n---\n", encoding="utf-8")
    result = run_cli("--vault", str(tmp_path), "--today", "2026-11-25", "list", "--json")
    assert result.code == 0, result.err
    assert '"path": "team/x/Ann.md"' in result.out


def test_the_contact_folder_dot_is_the_whole_vault(tmp_path: Path) -> None:
    """``contact_dirs = ["."]`` (which sync --setup already reads as the vault root) held no contact at all."""
    from tests.conftest import run_cli

    (tmp_path / "mdnet.toml").write_text('contact_dirs = ["./"]\n', encoding="utf-8")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "Ann.md").write_text("---\ncadence: 1w\n---\n", encoding="utf-8")
    (tmp_path / "Top.md").write_text("---\ncadence: 1w\n---\n", encoding="utf-8")
    (tmp_path / "Acme.md").write_text("---\ntype: company\n---\n", encoding="utf-8")
    result = run_cli("--vault", str(tmp_path), "--today", "2026-11-25", "list", "--json")
    assert result.code == 0, result.err
    assert [c["path"] for c in json.loads(result.out)["contacts"]] == ["team/Ann.md", "Top.md"]
    added = run_cli("--vault", str(tmp_path), "add", "Bea Lu", "--cadence", "2w")
    assert added.code == 0, added.err
    assert (tmp_path / "Bea Lu.md").is_file()
    assert run_cli("--vault", str(tmp_path), "check", str(tmp_path / "Bea Lu.md")).code == 0
