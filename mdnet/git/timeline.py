"""A contact's history: its log entries and mentions merged with the commits that touched its note.

:func:`merge` is pure. :func:`load_history` and :func:`load_facts` read git once for
the whole vault (one ``git log``) and keep the result under ``.mdnet/``, keyed by
HEAD: the same HEAD answers from the cache, a HEAD that moved forward reads only the
new commits, anything else (a rebase, a reset) reads everything again.

Each interaction appears once. A commit that ``mdnet log`` made carries the
trailers ``Interaction:`` and ``Interaction-Date:``; when they match a log entry of
the note (same day, same kind, and the subject's text when several do), the commit
is that entry's ``commit`` and not a separate item; so is a commit another one ``Amends:``
(a daily note's tick logged, then rewritten with the words typed after it). Every other commit (a hand edit,
a rename, ``followup``, an Obsidian git plugin's "vault backup") is a ``git`` item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from mdnet.core.model import GitFacts, Interaction, LogEntry, Mention
from mdnet.git import commands as history
from mdnet.git import log as gitlog
from mdnet.git.log import Commit, GitHistory

HISTORY_CACHE = "git-history.json"
FACTS_CACHE = "git-facts.json"


def merge(
    entries: tuple[LogEntry, ...] | list[LogEntry],
    commits: list[Commit],
    mentions: Iterable[Mention] = (),
    facts: Mapping[str, GitFacts] | None = None,
) -> list[Interaction]:
    """Log entries, mentions and commits as one list, each interaction once, newest first.

    ``mentions`` are the contact's past mentions (SPEC 11), each an item of its own with the last
    commit that touched its dated note (from ``facts``, :func:`load_facts`), or None. Among items of
    the same day, log entries come first, then mentions, then commits.
    """
    matched: dict[int, Commit] = {}
    git_items: list[tuple[tuple[str, str], Interaction]] = []
    # a commit that logged an entry a later one amended (a tick logged, then words typed after it): one item
    amended = {c.trailers["Amends"] for c in commits if c.trailers.get("Amends")}
    for commit in sorted(commits, key=lambda c: (c.date, c.time)):
        if commit.hash in amended:
            continue
        entry_index = _entry_of(commit, entries, matched)
        if entry_index is not None:
            matched[entry_index] = commit
            continue
        kind = _kind_of(commit)
        git_items.append(
            ((commit.date, commit.time), Interaction(commit.day, "git", kind, commit.subject, commit.hash))
        )
    log_items = []
    for index, entry in enumerate(entries):
        day = entry.date.isoformat()
        recorded = matched.get(index)
        # an entry without a time of its own sorts by the time of the commit that recorded it that day
        time = entry.time or (recorded.time if recorded is not None and recorded.date == day else "")
        item = Interaction(entry.date, "log", entry.kind, entry.text, recorded.hash if recorded else None)
        log_items.append(((day, time), item))
    mention_items = [
        ((mention.date.isoformat(), ""), _mention_item(mention, facts)) for mention in _newest_first(mentions)
    ]
    # log entries first, so that among equal keys the note's own (newest first) order stays
    combined = log_items + mention_items + sorted(git_items, key=lambda item: item[0], reverse=True)
    combined.sort(key=lambda item: item[0], reverse=True)
    return [item for _, item in combined]


def _newest_first(mentions: Iterable[Mention]) -> list[Mention]:
    """Each mention once (one per note and date), newest first, then by path and line."""
    ordered = sorted(mentions, key=lambda m: (-m.date.toordinal(), m.path, m.line))
    unique: dict[tuple[str, dt.date], Mention] = {}
    for mention in ordered:
        unique.setdefault((mention.path, mention.date), mention)  # the first line of the note that day
    return list(unique.values())


def _mention_item(mention: Mention, facts: Mapping[str, GitFacts] | None) -> Interaction:
    known = (facts or {}).get(mention.path)
    commit = known.last_commit if known is not None else None
    return Interaction(mention.date, "mention", None, mention.text, commit, mention.path, mention.line)


def _kind_of(commit: Commit) -> str | None:
    if "Interaction" in commit.trailers:
        return commit.trailers["Interaction"] or None
    if "Follow-Up" in commit.trailers:
        return "follow-up"
    if "Snooze-Until" in commit.trailers:
        return "snooze"
    return None


def _entry_of(commit: Commit, entries: tuple[LogEntry, ...] | list[LogEntry], taken: dict[int, Commit]) -> int | None:
    """The index of the log entry this commit recorded, if it is an ``mdnet log`` commit."""
    day = commit.trailers.get("Interaction-Date")
    kind = commit.trailers.get("Interaction")
    if not day or kind is None:
        return None
    said = commit.subject.split(": ", 1)[1].rstrip("…") if ": " in commit.subject else ""
    candidates = [
        index
        for index, entry in enumerate(entries)
        if index not in taken and entry.date.isoformat() == day and _same_kind(entry, kind, said)
    ]
    if not candidates:
        return None
    for index in candidates:
        text = " ".join(entries[index].text.split())
        if said and (text.startswith(said) or f"{entries[index].kind}: {text}".startswith(said)):
            return index
    return candidates[0]


def _same_kind(entry: LogEntry, kind: str, said: str) -> bool:
    """Whether ``entry`` has the commit's kind. Text logged without a kind that begins ``word: `` reads
    back with ``word`` as its kind (decisions.md, "Ambiguous log text"), while its commit says ``note``."""
    if (entry.kind or "note").casefold() == kind.casefold():
        return True
    return kind.casefold() == "note" and entry.kind is not None and said.startswith(f"{entry.kind}: ")


# -- reading git, with the cache ---------------------------------------------------


def load_history(root: Path, cache_dir: Path | None, state: history.RepoState | None = None) -> GitHistory | None:
    """Every note's commits (renames followed); None when the vault is not in a git repository."""
    state = state if state is not None else history.repo_state(root)
    if state is None:
        return None
    if state.head is None:
        return GitHistory(None, state.prefix)
    cache_path = cache_dir / HISTORY_CACHE if cache_dir is not None else None
    cached = gitlog.load_cache(cache_path) if cache_path is not None else None
    if cached is not None and cached.prefix == state.prefix and cached.head is not None:
        if cached.head == state.head:
            return cached
        # only a line of new commits goes in front of the old ones: after a merge, the commits a
        # branch brings in may be older than those already read, and git's order interleaves them
        if history.is_ancestor(root, cached.head, state.head) and not history.has_merges(root, cached.head, state.head):
            gitlog.extend(cached, state.head, history.log_records(root, state.head, since=cached.head))
            _save(cache_path, cached)
            return cached
    built = gitlog.build(state.head, state.prefix, history.log_records(root, state.head))
    _save(cache_path, built)
    return built


def commits_of(root: Path, cache_dir: Path | None, note: str) -> list[Commit]:
    """One note's commits: straight from the cache line when it was written for HEAD.

    A note renamed since its last commit (in Obsidian, with ``mv``) has none under its
    new name: its commits are those of the old name git pairs it with.
    """
    state = history.repo_state(root)
    if state is None or state.head is None:
        return []
    found = _commits_at_head(root, cache_dir, state, note)
    if not found:
        for old in history.renamed_from(root, [note]):
            found = _commits_at_head(root, cache_dir, state, old)
    return found


def _commits_at_head(root: Path, cache_dir: Path | None, state: history.RepoState, note: str) -> list[Commit]:
    if cache_dir is not None and state.head is not None:
        quick = gitlog.load_cached_commits(cache_dir / HISTORY_CACHE, state.head, state.prefix, note)
        if quick is not None:
            return quick
    found = load_history(root, cache_dir, state)
    return found.commits_of(note) if found is not None else []


def _save(cache_path: Path | None, built: GitHistory) -> None:
    if cache_path is not None:
        gitlog.save_cache(cache_path, built)


def load_facts(root: Path, cache_dir: Path | None) -> dict[str, GitFacts]:
    """Per note path: the last day a commit touched it, from the small facts cache when HEAD matches."""
    state = history.repo_state(root)
    if state is None or state.head is None:
        return {}
    facts_path = cache_dir / FACTS_CACHE if cache_dir is not None else None
    if facts_path is not None:
        cached = gitlog.load_facts(facts_path, state.head, state.prefix)
        if cached is not None:
            return cached
    built = load_history(root, cache_dir, state)
    facts = built.facts() if built is not None else {}
    if facts_path is not None:
        gitlog.save_facts(facts_path, state.head, state.prefix, facts.values())
    return facts
