"""The batched git log parser, rename following, the cache format and the merge with log entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mdnet.core.model import LogEntry
from mdnet.git import log as gitlog
from mdnet.git import timeline
from mdnet.git.log import Change, Commit


def record(hash_char: str, when: str, subject: str, trailers: str, changes: list[bytes]) -> bytes:
    head = b"\x1e" + (hash_char * 40).encode() + b"\0" + when.encode() + b"\0" + subject.encode() + b"\0"
    return head + trailers.encode() + b"\0\0\n" + b"".join(c + b"\0" for c in changes)


def commit(hash_char: str, day: str = "2026-01-01") -> tuple[Commit, list[Change]]:
    return Commit(hash_char * 40, day, "12:00:00", "s", {}), []


def test_parse_log_reads_statuses_renames_trailers_and_odd_subjects() -> None:
    trailers = "Contact: Jane\nInteraction: coffee\nSigned-off-by: x\nMdnet: 1\n"
    changes = [b"R087", b"people/old.md", b"people/--new.md", b"M", b"people/-rf.md"]
    raw = record("a", "2026-03-01T10:20:30+01:00", "odd \x1e subject", trailers, changes)
    raw += record("b", "2026-02-01T00:00:00+00:00", "first", "", [b"A", b"people/old.md"])
    parsed = gitlog.parse_log(raw)
    assert [c.hash[0] for c, _ in parsed] == ["a", "b"]
    first, changes = parsed[0]
    assert (first.date, first.time, first.subject) == ("2026-03-01", "10:20:30", "odd \x1e subject")
    assert first.trailers == {"Contact": "Jane", "Interaction": "coffee"}
    assert changes == [Change("R", "people/--new.md", "people/old.md"), Change("M", "people/-rf.md")]
    assert gitlog.parse_log(b"") == []


def test_follow_maps_every_older_path_to_the_note_at_head() -> None:
    records = [
        (commit("e")[0], [Change("M", "c.md")]),
        (commit("d")[0], [Change("R", "c.md", "b.md")]),
        (commit("c")[0], [Change("R", "b.md", "a.md")]),
        (commit("b")[0], [Change("A", "a.md"), Change("D", "gone.md")]),
        (commit("a")[0], [Change("M", "a.md"), Change("A", "gone.md")]),
    ]
    files, alias = gitlog.follow(records)
    assert files == {"c.md": [0, 1, 2, 3], "gone.md": [3, 4], "a.md": [4]}  # a.md before its re-creation
    assert alias == {}


def test_extend_moves_old_keys_along_new_renames(tmp_path: Path) -> None:
    old = gitlog.GitHistory("1" * 40, "", [commit("a")[0]], {"a.md": [0]})
    raw = record("b", "2026-05-01T00:00:00+00:00", "rename", "", [b"R100", b"a.md", b"b.md"])
    gitlog.extend(old, "b" * 40, raw)
    assert old.files == {"b.md": [0, 1]}
    assert [c.hash[0] for c in old.commits_of("b.md")] == ["b", "a"]
    cache = tmp_path / "cache"
    gitlog.save_cache(cache, old)
    loaded = gitlog.load_cache(cache)
    assert loaded == old
    assert gitlog.load_cached_commits(cache, "b" * 40, "", "b.md") == old.commits_of("b.md")
    assert gitlog.load_cached_commits(cache, "b" * 40, "", "missing.md") == []
    assert gitlog.load_cached_commits(cache, "c" * 40, "", "b.md") is None  # another HEAD
    cache.write_bytes(b"\x00garbage")
    assert gitlog.load_cache(cache) is None


def test_merge_pairs_an_mdnet_commit_with_its_entry_and_keeps_others() -> None:
    entries = [
        LogEntry(dt.date(2026, 3, 1), None, "coffee", "second coffee", 9),
        LogEntry(dt.date(2026, 3, 1), None, "coffee", "first coffee", 10),
        LogEntry(dt.date(2026, 2, 1), None, None, "a note", 11),
    ]
    trail = {"Contact": "Jane", "Interaction": "coffee", "Interaction-Date": "2026-03-01"}
    commits = [
        Commit("1" * 40, "2026-03-02", "09:00:00", "Log coffee with Jane: first coffee", trail),
        Commit("2" * 40, "2026-03-02", "10:00:00", "Log coffee with Jane: second coffee", trail),
        Commit("3" * 40, "2026-02-01", "08:00:00", "Log note with Jane: a note",
               {"Interaction": "note", "Interaction-Date": "2026-02-01"}),
        Commit("4" * 40, "2026-03-05", "08:00:00", "vault backup", {}),
        Commit("5" * 40, "2026-03-06", "08:00:00", "Follow up with Jane on 2027-01-01", {"Follow-Up": "2027-01-01"}),
    ]  # fmt: skip
    items = timeline.merge(entries, commits)
    assert [(i.source, i.kind, i.text, (i.commit or "-")[0]) for i in items] == [
        ("git", "follow-up", "Follow up with Jane on 2027-01-01", "5"),
        ("git", None, "vault backup", "4"),
        ("log", "coffee", "second coffee", "2"),
        ("log", "coffee", "first coffee", "1"),
        ("log", None, "a note", "3"),
    ]


def test_parse_log_gives_the_same_records_from_chunks_of_any_size() -> None:
    raw = record(
        "a",
        "2026-03-01T10:20:30+01:00",
        "caf\u00e9 \x1e odd",
        "Interaction: coffee",
        [b"M", "people/Jos\u00e9.md".encode()],
    )
    raw += (
        record("b", "2026-02-01T00:00:00+00:00", "bad \xff bytes", "", [b"A", b"people/n\xe9e.md"])
        .replace("\xff".encode(), b"\xff")
        .replace("n\xe9e".encode(), b"n\xe9e")
    )
    whole = gitlog.parse_log(raw)
    assert whole[0][0].subject == "caf\u00e9 \x1e odd"
    assert whole[0][1] == [Change("M", "people/Jos\u00e9.md")]
    assert whole[1][0].subject == "bad \ufffd bytes"
    assert whole[1][1] == [Change("A", "people/n\udce9e.md")]  # as os.fsdecode gives a non-UTF-8 name
    for size in (1, 2, 7, 64):
        assert gitlog.parse_log(raw[i : i + size] for i in range(0, len(raw), size)) == whole
