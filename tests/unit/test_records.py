"""The records of mdnet.core.model are plain classes that behave as the frozen dataclasses they were."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

import pytest

from mdnet import config
from mdnet.core import model, policy
from mdnet.core.model import Contact, DueItem, Duration, LogEntry, Problem, Reason, RefreshStats
from mdnet.errors import UsageError

DAY = dt.date(2026, 11, 25)


def _item(**changes: object) -> DueItem:
    reason = Reason("cadence", DAY, "every 30d")
    values: dict[str, object] = {"name": "Ann Lee", "path": "people/Ann Lee.md", "bucket": "today", "due": DAY,
                                 "days_overdue": 0, "category": None, "tags": ("x",), "reasons": (reason,)}  # fmt: skip
    values.update(changes)
    return DueItem(**values)  # type: ignore[arg-type]


def test_records_compare_and_hash_by_their_fields() -> None:
    assert _item() == _item() and hash(_item()) == hash(_item())
    assert _item() != _item(days_overdue=1) and _item() != _item(cadence_ratio=1.5)
    assert len({_item(), _item(), _item(bucket="overdue")}) == 2
    assert Reason("cadence", DAY, "x") != ("cadence", DAY, "x")  # not a tuple
    assert Problem("a.md", 1, 1, "error", "m") != LogEntry(DAY, None, None, "m", 1)


def test_records_cannot_be_changed() -> None:
    item = _item()
    with pytest.raises(AttributeError, match="immutable"):
        item.name = "Bob"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del item.name
    with pytest.raises(AttributeError):
        item.color = "red"  # type: ignore[attr-defined]
    assert item.name == "Ann Lee"


def test_a_contact_with_its_fields_dict_cannot_be_hashed() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(Contact("people/a.md", "A", "a", {"name": "A"}))


def test_replace_makes_a_changed_copy_and_refuses_an_unknown_field() -> None:
    item = _item()
    later = item.replace(bucket="overdue", days_overdue=3)
    assert (later.bucket, later.days_overdue, later.name) == ("overdue", 3, "Ann Lee")
    assert item.bucket == "today"
    stats = RefreshStats(1, 1, 1, 0, 0, 0, 0.1, False)
    assert stats.replace(rebuilt=True).as_dict()["rebuilt"] is True
    with pytest.raises(TypeError):
        item.replace(colour="red")
    with pytest.raises(UsageError, match="bad duration"):  # the checks of __init__ hold for a copy too
        Duration(3, "m").replace(unit="x")


def test_defaults_repr_pickle_and_copy() -> None:
    contact = Contact("people/a.md", "A", "a", {"name": "A"}, tags=("t",), cadence=Duration(2, "w"))
    assert contact.log == () and contact.status == "active" and contact.mentions == ()
    assert repr(Duration(2, "w")) == "Duration(count=2, unit='w')"
    assert repr(Reason("task", DAY, "x")) == "Reason(kind='task', due=datetime.date(2026, 11, 25), detail='x')"
    for record in (contact, _item(), Duration(1, "y")):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.copy(record) == record and copy.deepcopy(record) == record
    assert copy.deepcopy(contact).fields is not contact.fields


def test_every_record_lists_its_init_parameters_as_its_slots() -> None:
    """``replace``, ``==`` and pickling read the fields from ``__slots__``: a field left out of them, or in
    another order than ``__init__``'s parameters, would be lost by a copy."""
    import inspect

    import mdnet.core.due  # DueRules is a record too

    records = model.Record.__subclasses__()
    assert len(records) >= 13 and mdnet.core.due.DueRules in records
    for record in records:
        parameters = list(inspect.signature(record.__init__).parameters)[1:]
        assert list(record.__slots__) == parameters, record.__name__


def test_the_model_creates_no_dataclass() -> None:
    """Creating a dataclass costs about a millisecond (its methods are compiled with exec), and every
    `mdnet due` imports this module: the dozen records were a sixth of the command (docs/decisions.md)."""
    assert [name for name, value in vars(model).items() if dataclasses.is_dataclass(value)] == []


def test_the_settings_are_records_too() -> None:
    """`Config` and the cadence policy are made by every command: plain records, with what the dataclasses
    gave (defaults, ==, the same repr, which keys the cached due answer, pickling, as_dict copies)."""
    for module in (config, policy):
        assert [name for name, value in vars(module).items() if dataclasses.is_dataclass(value)] == [], module
    settings = config.config_from_mapping({"contact_dirs": ["people", "clients"], "cadence": {"client": "30d"}})
    assert settings == config.Config(contact_dirs=("people", "clients"), extra={"cadence": {"client": "30d"}})
    assert settings != config.Config()
    assert repr(config.Config()).startswith("Config(contact_dirs=('people',), daily_dir='daily', ")
    assert repr(config.Config()).endswith(", interaction_fields=" + repr(config.INTERACTION_FIELDS) + ", extra={})")
    assert pickle.loads(pickle.dumps(settings)) == settings
    copied = settings.as_dict()
    assert copied["extra"] == {"cadence": {"client": "30d"}} and copied["extra"] is not settings.extra
    assert list(copied) == list(config.Config.__slots__)
    assert config.Config().extra is not config.Config().extra  # no shared default
    window = policy.Window(Duration(30, "d"), Duration(60, "d"))
    assert settings.cadence_policy == policy.CadencePolicy({"client": window}) != policy.CadencePolicy()
    assert pickle.loads(pickle.dumps(window)) == window and repr(window).startswith("Window(ideal=Duration(")
