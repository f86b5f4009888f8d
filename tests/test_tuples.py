"""tuples.NamedTuple makes the records typing.NamedTuple would, without importing typing."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing

import pytest

from flake8_secret_key.tuples import NamedTuple


class Point(NamedTuple):
    """A point: the docstring stays."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


class TypedPoint(typing.NamedTuple):
    """A point: the docstring stays."""

    x: int
    y: int = 0
    label: str | None = None


def test_the_same_record_as_typing_makes() -> None:
    ours, theirs = Point(3, label="a"), TypedPoint(3, label="a")
    assert tuple(ours) == tuple(theirs) == (3, 0, "a")
    assert Point._fields == TypedPoint._fields
    assert Point._field_defaults == TypedPoint._field_defaults
    assert Point.__doc__ == TypedPoint.__doc__
    assert repr(ours) == repr(theirs).replace("TypedPoint", "Point")
    assert Point.__module__ == __name__ and Point.__qualname__ == "Point"
    assert list(Point.__annotations__) == ["x", "y", "label"]
    assert isinstance(ours, tuple) and ours == (3, 0, "a")


def test_methods_properties_and_tuple_behaviour() -> None:
    p = Point(1, -2)
    assert p.moved(2) == Point(3, -2)
    assert p.norm1 == 3
    assert Point._make([5, 6, None]) == Point(5, 6)
    assert p._asdict() == {"x": 1, "y": -2, "label": None}
    x, y, label = p
    assert (x, y, label) == (1, -2, None)
    assert pickle.loads(pickle.dumps(p)) == p  # report's workers send records so
    assert sorted([Point(2), Point(1, 5)]) == [Point(1, 5), Point(2)]


def test_mistakes_typing_refuses_are_refused() -> None:
    with pytest.raises(TypeError, match="default"):

        class Bad(NamedTuple):
            a: int = 1
            b: int

    with pytest.raises(AttributeError, match="_replace"):

        class Clash(NamedTuple):
            a: int

            def _replace(self) -> None: ...


def test_calling_it_is_refused() -> None:
    with pytest.raises(TypeError, match="class syntax"):
        NamedTuple("P", [("x", int)])  # type: ignore[call-overload]


def test_typing_is_not_imported() -> None:
    code = "import sys, flake8_secret_key.tuples; print('typing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"
