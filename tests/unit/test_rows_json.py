"""The cold index's JSON encoder (mdnet.store.rows) writes what mdnet.store.index.to_json writes, byte for byte."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mdnet.store import rows
from mdnet.store.index import to_json

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _VALUES, max_size=6) | st.lists(_VALUES, max_size=6))
def test_the_shortcut_writes_what_to_json_writes(value: Any) -> None:
    assert rows._to_json(value) == to_json(value)


def test_the_shortcut_is_the_c_encoder_made_once_not_to_json_itself() -> None:
    """On CPython the shortcut is taken (otherwise the test above could not fail for it)."""
    assert rows._to_json is not to_json
    assert rows._to_json({"é": [math.inf, None, True, 1.5, "\u2028"]}) == '{"é": [Infinity, null, true, 1.5, "\u2028"]}'
