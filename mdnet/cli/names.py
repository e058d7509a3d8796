"""Names typed without quotes: ``mdnet log Priya Raman "intro call"`` read ``Priya`` as the name and
``Raman`` as the first word of the text. These helpers find such a name and say to quote it."""

from __future__ import annotations

from collections.abc import Sequence

from mdnet.core.folding import fold
from mdnet.core.naming import answers_to
from mdnet.errors import MdnetError, UsageError
from mdnet.vault.facade import Vault

MAX_NAME_WORDS = 3
"""How many words after NAME may still belong to it (``Maria de la Cruz``: three)."""


def unquoted_name(vault: Vault, name: str, following: Sequence[str]) -> str | None:
    """``name`` with the first words of ``following`` when together they are exactly a contact's
    name or alias and ``name`` alone is not (it only began one), else None."""
    if answers_exactly(vault, name):
        return None
    return completed_name(vault, name, following)


def completed_name(vault: Vault, name: str, following: Sequence[str]) -> str | None:
    """``name`` with the most first words of ``following`` that make exactly a contact's name or alias."""
    words = [word for word in following[:MAX_NAME_WORDS] if word.strip()]
    for count in range(len(words), 0, -1):
        whole = " ".join([name, *words[:count]])
        if answers_exactly(vault, whole):
            return whole
    return None


def refuse_unquoted(vault: Vault, command: str, name: str, following: Sequence[str]) -> None:
    """Raise the "quote names with spaces" usage error when ``name`` was cut at a space."""
    whole = unquoted_name(vault, name, following)
    if whole is not None:
        raise UsageError(quote_hint(command, whole))


def quote_hint(command: str, whole: str) -> str:
    return f'quote names with spaces: mdnet {command} "{whole}" ...'


def answers_exactly(vault: Vault, text: str) -> bool:
    try:
        contact = vault.get(text)
    except MdnetError:
        return False
    return fold(text.strip()) in answers_to(contact)


def finds_contact(vault: Vault, name: str) -> bool:
    """Whether ``name`` alone finds one contact (as the commands look a NAME up)."""
    try:
        vault.get(name)
    except MdnetError:
        return False
    return True
