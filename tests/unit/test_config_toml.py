"""mdnet.toml's plainest TOML is read without tomllib (whose import costs every command ~13 M instructions),
and read exactly as tomllib reads it; anything else goes to tomllib, with its errors."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.config import config_from_bytes, plain_toml
from mdnet.errors import ConfigError

PLAIN = """\
# my vault
contact_dirs = ["people", 'clients', ]   # two folders
daily_dir = "journal/days"
upcoming_days = 14
max_note_bytes = +2000000
mentions = 'links'

[cadence]
client = "30d..45d"
family = "never"
[me]
name = "Ann # Lee"
"""


def test_plain_toml_reads_as_tomllib() -> None:
    assert plain_toml(PLAIN) == tomllib.loads(PLAIN)
    assert plain_toml(PLAIN) is not None
    assert plain_toml("") == {} and plain_toml("\n# only a comment\n") == {}


@pytest.mark.parametrize(
    "text",
    [
        'a = "x\\ty"',  # an escape
        'a = """x"""',  # a multi-line string
        "a = '''x'''",
        "a = 1.5",  # a float
        "a = 1_000",  # underscores
        "a = 2026-11-25",  # a date
        "a = [1, 2]",  # not strings
        'a = ["x",\n  "y"]',  # over two lines
        'a = {b = "x"}',  # an inline table
        '"a b" = 1',  # a quoted key
        "a.b = 1",  # a dotted key
        "[a.b]",
        "[[a]]",
        "a = 1\na = 2",  # a key twice: tomllib's error
        "[a]\n[a]",
        "a = 1\n[a]",
        'a = "x" "y"',
        "a = 0x1f",
        "a = 007",
        "a = truely",
        "a =",
        "a = 1\r\n",  # CR: left to tomllib
        'a = "\x01"',
    ],
)
def test_anything_else_is_tomllibs(text: str) -> None:
    assert plain_toml(text) is None


def test_errors_are_still_tomllibs() -> None:
    with pytest.raises(ConfigError, match="malformed TOML"):
        config_from_bytes(b"contact_dirs = 1\ncontact_dirs = 2\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        config_from_bytes(b'contact_dirs = ["people"\n')
    assert config_from_bytes(b"\xef\xbb\xbfupcoming_days = 3\n").upcoming_days == 3  # a byte-order mark


_KEYS = st.sampled_from(["a", "b", "contact_dirs", "x-1", "_k", "9", "a b", "a.b", '"q"', ""])
_ATOMS = st.sampled_from(
    ['"x"', "'y'", '""', "''", '"a # b"', '"é"', '"t\tab"', '"back\\\\slash"', '"""m"""', "'''m'''", "0", "-0",
     "+7", "12", "007", "1_0", "1.5", "true", "false", "True", "nan", "2026-11-25", "[]", '["x", \'y\']',
     '["x",]', "[1]", '[["x"]]', "{a = 1}", "", '"x" "y"', '"open', "99999999999999999999"]
)  # fmt: skip
_SPACE = st.sampled_from(["", " ", "\t", "  "])
_TAIL = st.sampled_from(["", " # note", "#", " x", "\r"])


_PLAIN_KEYS = st.sampled_from(["a", "b", "contact_dirs", "x-1", "_k", "9"])
_PLAIN_ATOMS = st.sampled_from(['"x"', "'y'", '""', "''", '"a # b"', '"é"', '"t\tab"', "0", "-0", "+7", "12", "true",
                                "false", "[]", '["x", \'y\']', '["x",]', '[ "a" , "b" ]'])  # fmt: skip


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Mostly plain documents (half of them wholly so), with odd keys, values and tails mixed in."""
    odd = draw(st.booleans())
    keys, atoms = (_KEYS, _ATOMS) if odd else (_PLAIN_KEYS, _PLAIN_ATOMS)
    tails = _TAIL if odd else st.sampled_from(["", " # note", "#"])
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["pair", "pair", "pair", "table", "comment", "blank"]))
        if kind == "pair":
            line = draw(keys) + draw(_SPACE) + "=" + draw(_SPACE) + draw(atoms) + draw(tails)
        elif kind == "table":
            close = draw(st.sampled_from(["]", "]]", ""])) if odd else "]"
            line = "[" + draw(_SPACE) + draw(keys) + draw(_SPACE) + close + draw(tails)
        elif kind == "comment":
            line = draw(_SPACE) + "# " + draw(st.text(max_size=5) if odd else st.sampled_from(["", "x", "é #"]))
        else:
            line = draw(_SPACE)
        lines.append(draw(_SPACE) + line)
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=400, deadline=None)
@given(_documents())
def test_plain_toml_is_tomllib_or_nothing(text: str) -> None:
    """Property: whatever plain_toml reads, tomllib reads the same; what tomllib refuses, plain_toml leaves."""
    plain = plain_toml(text)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert plain is None
        return
    if plain is not None:
        assert plain == expected
        assert [type(v) for v in plain.values()] == [type(v) for v in expected.values()]


def test_a_plain_config_does_not_import_tomllib(tmp_path: Path) -> None:
    (tmp_path / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from mdnet.store.layout import load_config;"
        f"c = load_config(Path({str(tmp_path)!r})); print(c.contact_dirs, 'tomllib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["('people',)", "False"]
