"""The fast YAML path agrees with ruamel.yaml (YAML 1.2) wherever it answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.note import frontmatter_yaml as fy
from tests.conftest import examples

AGREEMENT_SAMPLES = [
    "name: Jane Doe\ntags: [cloud, phoenix]\n",
    "country: NO\nactive: yes\nflag: true\nnothing: ~\nempty:\n",
    "last_contact: 2026-10-21\nbirthday: --06-02\ncadence: 30d\nother: 30 days\n",
    'company: "[[Acme Corp]]"\nknows: ["[[Carl Jung]]", "[[Dana Scully]]"]\n',
    "phone: +1 480 555 0100\nzip: 85001\nneg: -5\nplus: +7\noctal: 017\n",
    "email:\n  - a@example.com\n  - 'b@example.com'\n",
    "email:\n- a@example.com\n- b@example.com\nnext: x\n",
    "quoted: 'it''s'\ndq: \"a # not a comment\"\nplain: a#b\n",
    "comment: value  # trailing comment\n# a whole-line comment\nk: v\n",
    "mixed: [a, 'b c', \"d\", 1, true, null]\nempty_list: []\n",
    "name: José Álvarez\nlocation: Scottsdale, AZ\nurl: https://jane.example/blog\n",
    "time: 12:30\nfloat: 1.5\nexp: 1e3\nhex: 0x1F\ninf: .inf\n",
    "dashes: -foo\nq: ?x\n",
    "notes: |\n  line one\n\n  line two\nnext: 1\n",
    "strip: |-\n  kept\n    indented\n",
    'quote: "He said \\"hi\\" \\u00e9\\t"\n',
    "social: {linkedin: jane, posts: 3}\n",
    "met_at: 2023-05-01T09:30\nstamp: 2023-05-01 09:30:00\n",
]


@pytest.mark.parametrize(
    "text",
    [
        "notes: |\n  line one\n  line two\n",
        'quote: "He said \\"hi\\""\n',
        "social: {linkedin: jane}\n",
        "met_at: 2023-05-01T09:30\n",
        "social:\n  linkedin: jane\n  old:\n    twitter: jane_\n",
    ],
)
def test_the_generated_harder_shapes_stay_on_the_fast_path(text: str) -> None:
    assert fy.load_fast_or_none(text) is not None
    assert fy.load_fast_or_none(text)[0] == fy.load_full(text)[0]  # type: ignore[index]


@pytest.mark.parametrize("text", AGREEMENT_SAMPLES)
def test_fast_path_equals_full_parser(text: str) -> None:
    full, _ = fy.load_full(text)
    fast = fy.load_fast_or_none(text)
    if fast is not None:
        assert fast[0] == full
    assert fy.load(text)[0] == full


@pytest.mark.parametrize(
    "text",
    [
        "name: X\ncompany: \r# old employer\n",  # a CR alone is a line break to YAML
        "k: a\rb\n",
        "k: a\r",
        "k: a\x00b\n",  # characters YAML refuses: ruamel's error, not the fast path's text
        "k: [a\x07]\n",
        "k: a\x7fb\n",
        "k: \u3000\n",  # an ideographic space is text to YAML
        "k: a\u2028b\n",
    ],
)
def test_characters_yaml_reads_otherwise_than_python_leave_the_fast_path(text: str) -> None:
    assert fy.load_fast_or_none(text) is None
    _assert_agree(text)


def test_yaml_1_2_semantics_as_obsidian_reads_them() -> None:
    value, _ = fy.load("country: NO\nactive: yes\ndone: true\nday: 2026-10-21\nn: 7\n")
    assert value == {"country": "NO", "active": "yes", "done": True, "day": "2026-10-21", "n": 7}


def test_fast_path_handles_the_common_shapes() -> None:
    text = 'name: Jane\naliases: [Jane, JD]\nemail:\n  - jane@acme.example\ncadence: 30d\nphone: "+1 480 555 0100"\n'
    assert fy.load_fast_or_none(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "social: {linkedin: [a, b]}\n",
        "folded: >\n  a\n  b\n",
        "kept: |+\n  a\n\n",
        "anchor: &a 1\nref: *a\n",
        "nested:\n  key: |\n    block\n",
        "multi: first\n  continued\n",
    ],
)
def test_harder_yaml_falls_back_and_still_parses(text: str) -> None:
    assert fy.load_fast_or_none(text) is None
    assert fy.load(text)[0] == fy.load_full(text)[0]


def test_duplicate_keys_are_reported_with_their_line_by_both_paths() -> None:
    with pytest.raises(fy.YamlProblem) as fast:
        fy.load("a: 1\nb: 2\na: 3\n")
    assert fast.value.line == 2
    assert "duplicate" in fast.value.message
    with pytest.raises(fy.YamlProblem) as full:
        fy.load("a: |\n  x\na: 3\n")
    assert "duplicate" in full.value.message


def test_malformed_yaml_has_a_location() -> None:
    with pytest.raises(fy.YamlProblem) as info:
        fy.load("name: Jane\ntags: [a, b\nrole: x\n")
    assert info.value.line >= 1
    assert "malformed YAML" in info.value.message


def test_key_lines_are_known_for_both_paths() -> None:
    _, fast_lines = fy.load("a: 1\n# c\nb: 2\n")
    _, full_lines = fy.load("a: |\n  x\n# c\nb: 2\n")
    assert fast_lines == {"a": 0, "b": 2}
    assert full_lines["b"] == 3


_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_@+/:#'\""
_plain_words = st.text(alphabet=_ALPHABET, min_size=0, max_size=14)
_keys = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)


@st.composite
def _front_matter(draw: st.DrawFn) -> str:
    keys = draw(st.lists(_keys, min_size=1, max_size=6, unique=True))
    lines = []
    for key in keys:
        shape = draw(st.sampled_from(["plain", "single", "double", "flow", "block", "empty", "literal", "flowmap",
                                      "escaped", "nested"]))  # fmt: skip
        word = draw(_plain_words)
        if shape == "plain":
            lines.append(f"{key}: {word}")
        elif shape == "single":
            lines.append(f"{key}: '{word.replace(chr(39), chr(39) * 2)}'")
        elif shape == "double":
            lines.append(f'{key}: "{word.replace(chr(34), "")}"')
        elif shape == "flow":
            items = draw(st.lists(_plain_words, max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        elif shape == "block":
            items = draw(st.lists(_plain_words, min_size=1, max_size=3))
            indent = draw(st.sampled_from(["", "  ", "    "]))
            lines.append(f"{key}:")
            lines.extend(f"{indent}- {item}" for item in items)
        elif shape == "literal":
            chomp = draw(st.sampled_from(["", "-"]))
            body = draw(st.lists(_plain_words, min_size=1, max_size=4))
            indent = draw(st.sampled_from(["  ", "    "]))
            lines.append(f"{key}: |{chomp}")
            lines.extend((indent + item) if item.strip() else "" for item in body)
        elif shape == "flowmap":
            inner = draw(st.lists(st.tuples(_keys, _plain_words), max_size=3))
            lines.append(f"{key}: {{{', '.join(f'{k}: {v}' for k, v in inner)}}}")
        elif shape == "nested":
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["  ", "    "]))
            for sub_key in draw(st.lists(_keys, min_size=1, max_size=3)):
                form = draw(st.sampled_from(["scalar", "list", "deeper", "comment"]))
                if form == "scalar":
                    lines.append(f"{indent}{sub_key}: {draw(_plain_words)}")
                elif form == "list":
                    lines.append(f"{indent}{sub_key}:")
                    item_indent = indent + draw(st.sampled_from(["", "  "]))
                    lines.extend(f"{item_indent}- {w}" for w in draw(st.lists(_plain_words, min_size=1, max_size=2)))
                elif form == "deeper":
                    lines.append(f"{indent}{sub_key}:")
                    lines.append(f"{indent}  {draw(_keys)}: {draw(_plain_words)}")
                else:
                    lines.append(f"{indent}# {draw(_plain_words)}")
        elif shape == "escaped":
            pieces = draw(st.lists(st.sampled_from(["a", " ", '\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\x41",
                                                    "\\/", "\\q", "#"]), max_size=6))  # fmt: skip
            lines.append(f'{key}: "{"".join(pieces)}"')
        else:
            lines.append(f"{key}:")
    return "\n".join(lines) + "\n"


@settings(max_examples=examples(300), deadline=None)
@given(_front_matter())
def test_fast_path_never_disagrees_with_ruamel(text: str) -> None:
    _assert_agree(text)
    _assert_agree(text.replace("\n", "\r\n"))  # CRLF files, as Windows editors write them


def _assert_agree(text: str) -> None:
    try:
        full = fy.load_full(text)[0]
    except fy.YamlProblem:
        full = "error"
    try:
        fast = fy.load_fast_or_none(text)
    except fy.YamlProblem:
        fast = ("error", {})
    if fast is not None:
        assert fast[0] == full, text


_WIDE_WORDS = st.text(
    alphabet="abcXYZé 09.-_@+/:#'\",[]{}!&*|>%?`~=<\u00a0\u2003",
    min_size=0,
    max_size=12,
) | st.sampled_from(["null", "Null", "TRUE", "false", "~", "no", "Yes", "1e3", ".inf", "0x1F", "-", "a #b", "a:b"])


@pytest.mark.filterwarnings("ignore")  # ruamel warns about the odd anchors some cases make
@settings(max_examples=examples(1500), deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["plain", "flow", "block"]), _WIDE_WORDS, st.lists(_WIDE_WORDS, max_size=3)),
        min_size=1,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_plain_text_shortcuts_agree_with_ruamel(shapes: list[tuple[str, str, list[str]]], newline: str) -> None:
    """The shortcuts for plain text and plain flow lists, against every odd character around them."""
    lines = []
    for number, (shape, word, items) in enumerate(shapes):
        if shape == "plain":
            lines.append(f"k{number}: {word}")
        elif shape == "flow":
            lines.append(f"k{number}: [{', '.join(items)}]")
        else:
            lines.append(f"k{number}:")
            lines.extend(f"  - {item}" for item in items or [word])
    _assert_agree(newline.join(lines) + newline)
