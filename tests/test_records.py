"""parapp.records makes of a class what @dataclass makes of it: the same __init__ (defaults, factories, fields
left out, __post_init__), repr, equality, hashing, ordering and frozenness; the core's record classes use it."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from parapp import records


def _pair(make):
    """The same class made by dataclasses and by records (make(decorate, field) defines it)."""
    return make(dataclasses.dataclass, dataclasses.field), make(records.record, records.field)


def _plain(decorate, field):
    @decorate
    class Box:
        """doc"""

        a: int
        b: str = "x"
        c: list = field(default_factory=list)
        d: dict = field(default_factory=dict, repr=False)

    return Box


def _frozen(decorate, field):
    @decorate(frozen=True)
    class Key:
        """doc"""

        a: int
        b: tuple = ()
        c: float | None = None
        d: str = field(default="q", compare=False)

    return Key


def _ordered(decorate, field):
    @decorate(frozen=True, order=True)
    class Span:
        """doc"""

        _key: tuple = field(init=False, repr=False)
        kind: str
        n: int = 1

        def __post_init__(self):
            object.__setattr__(self, "_key", (self.n, self.kind))

    return Span


def _identity(decorate, field):
    @decorate(frozen=True, eq=False)
    class Plan:
        """doc"""

        sql: str

    return Plan


def _both(pair, *args, **kw):
    a, b = pair
    return a(*args, **kw), b(*args, **kw)


def _same_repr(x, y):
    assert repr(x) == repr(y)


def test_a_plain_record_is_a_dataclass_s_twin():
    pair = _pair(_plain)
    x, y = _both(pair, 1)
    _same_repr(x, y)
    assert x.c == y.c == [] and x.c is not _both(pair, 1)[0].c
    x2, y2 = _both(pair, 1, "y", [1], d={"k": 2})
    _same_repr(x2, y2)
    assert (x == _both(pair, 1)[0]) and (y == _both(pair, 1)[1]) and y != y2 and y != x
    assert pair[1].__hash__ is None and pair[0].__hash__ is None
    y.a = 5  # not frozen
    assert y.a == 5 and pair[1].b == "x" and not hasattr(pair[1], "c")
    assert pair[1].__match_args__ == pair[0].__match_args__
    for bad in ((), (1, 2, 3, 4, 5)):
        with pytest.raises(TypeError):
            pair[1](*bad)
    with pytest.raises(TypeError):
        pair[1](1, e=3)


def test_a_frozen_record_hashes_compares_and_refuses_changes_as_a_dataclass():
    pair = _pair(_frozen)
    x, y = _both(pair, 1, (2,), 0.5, "r")
    _same_repr(x, y)
    assert hash(x) == hash(y) and y == pair[1](1, (2,), 0.5, "other")  # d is not compared
    assert {y, pair[1](1, (2,), 0.5)} == {y}
    for obj in (x, y):
        with pytest.raises(AttributeError) as e:
            obj.a = 2
        assert "cannot assign to field 'a'" in str(e.value)
        with pytest.raises(AttributeError):
            del obj.b
    from parapp.store.units import Unit

    u = Unit("1", "Xã A", "Xã", "commune", "2")
    back = pickle.loads(pickle.dumps(u))
    assert back == u and hash(back) == hash(u) and back.official_code == "1"


def test_an_ordered_record_with_a_field_made_after_init_orders_as_a_dataclass():
    pair = _pair(_ordered)
    xs = [_both(pair, k, n) for k, n in (("Q", 2), ("Y", 1), ("Q", 1), ("M", 2))]
    for side in (0, 1):
        assert [repr(s) for s in sorted(p[side] for p in xs)] == [repr(s) for s in sorted(p[0] for p in xs)]
    a, b = xs[0][1], xs[2][1]
    assert (a < b, a <= b, a > b, a >= b) == (xs[0][0] < xs[2][0], xs[0][0] <= xs[2][0], xs[0][0] > xs[2][0],
                                              xs[0][0] >= xs[2][0])
    _same_repr(*xs[0])
    with pytest.raises(TypeError):
        pair[1]("Q", 1, (1, "Q"))  # _key is not an argument
    assert (a == 1) is False and a.__lt__(1) is NotImplemented


def test_a_record_compared_by_identity():
    pair = _pair(_identity)
    x, y = _both(pair, "s")
    assert y != pair[1]("s") and y == y and hash(y) == object.__hash__(y)
    _same_repr(x, y)


def test_the_core_record_classes_are_records():
    from parapp.domain.catalogue import Catalogue, Element
    from parapp.domain.periods import Period
    from parapp.engine.aggregate import Aggregate
    from parapp.i18n import Text
    from parapp.store.units import Unit

    for cls in (Catalogue, Element, Period, Aggregate, Text, Unit):
        assert "__record_fields__" in cls.__dict__
    assert Period.parse("2025Q2") == Period("Q", 2025, 2) and Period.parse("2025") < Period.parse("2025Q1")
    assert repr(Text("a", "b")) == "Text(vi='a', en='b')"
