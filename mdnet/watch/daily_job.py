"""``--daily``: today's daily note refreshed when the due list changed, the day changed, or the user edited it.

The due list is the one ``mdnet due`` and the daily note itself read (``Config.due_rules``), so a change
only the cadence policy makes is seen too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from pathlib import Path

from mdnet.core.model import DueItem, LogResult
from mdnet.vault.facade import Vault


class DailyJob:
    """Keeps today's daily note in step; ``vault`` gives the watcher's Vault of the moment, ``wrote`` is told
    the note's path after each write (for ``--autocommit``)."""

    def __init__(self, root: Path, vault: Callable[[], Vault], *, enabled: bool, today: Callable[[], dt.date],
                 say: Callable[[str], None], token_of: Callable[[str], str | None],
                 wrote: Callable[[str], None]) -> None:  # fmt: skip
        self.root = root
        self._vault = vault
        self.daily = enabled
        self._today = today
        self.say = say
        self.token_of = token_of
        self._wrote = wrote
        self._daily_date: dt.date | None = None
        self._daily_items: list[DueItem] | None = None
        self._daily_path: str | None = None
        self._daily_token: str | None = None

    @property
    def vault(self) -> Vault:
        return self._vault()

    def day_changed(self) -> bool:
        """Midnight passed since the note was last refreshed (checked by the supervisor's round)."""
        return self.daily and self._daily_date != self._today()

    def after_change(self, changed: Collection[str]) -> None:
        """Notes changed: refresh the note if the due list changed, or at once if the user edited it."""
        if self.daily:
            mine = self._daily_path in changed and self.token_of(self._daily_path or "") != self._daily_token
            self.check_daily(force=mine)

    def check_daily(self, force: bool = False) -> None:
        """Refresh today's daily note when the due list changed, the day changed, or the user edited it."""
        if not self.daily:
            return
        today = self._today()
        items = self.vault.config.due_rules.items(self.vault.indexed().contacts(today), today)
        if not force and today == self._daily_date and items == self._daily_items:
            return
        self._daily_date, self._daily_items = today, items
        refresh = getattr(self.vault, "refresh_daily", None)
        writer = getattr(self.vault, "daily_note", None)
        if refresh is None and writer is None:
            self.say("--daily: this mdnet has no daily note support; not writing one")
            self.daily = False
            return
        logged: list[LogResult] = []
        try:
            if refresh is not None:  # with what it logged from ticks, to say whom
                result = refresh(today)
                path, logged = Path(result.full_path), list(result.logged)
            else:
                path = Path(writer(today))  # type: ignore[misc]
        except Exception as exc:
            self.say(f"daily note not refreshed: {exc}")
            return
        for done in logged:
            self.say(f"logged {done.name} from a tick: {done.entry} ({done.path})")
        try:
            self._daily_path = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            self._daily_path = None
        self._daily_token = self.token_of(self._daily_path) if self._daily_path else None
        self.say(f"daily note {self._daily_path or path} refreshed ({len(items)} due)")
        if self._daily_path is not None:
            self._wrote(self._daily_path)
