"""tuples.NamedTuple makes the records typing.NamedTuple would, without importing typing."""

from __future__ import annotations

import copy
import enum
import pickle
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from flake8_secret_key.tuples import Enum, NamedTuple


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


class Empty(NamedTuple):
    pass


class TypedEmpty(typing.NamedTuple):
    pass


class One(NamedTuple):
    only: str


class TypedOne(typing.NamedTuple):
    only: str


def _message(call: typing.Callable[[], object]) -> str:
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    return str(info.value)


def test_errors_say_what_typings_say() -> None:
    cases: list[tuple[typing.Callable[[], object], typing.Callable[[], object]]] = [
        (lambda: Point(), lambda: TypedPoint()),  # type: ignore[call-arg]
        (lambda: Point(1, 2, "a", 4), lambda: TypedPoint(1, 2, "a", 4)),  # type: ignore[call-arg]
        (lambda: Point(1, z=2), lambda: TypedPoint(1, z=2)),  # type: ignore[call-arg]
        (lambda: Point(1, x=2), lambda: TypedPoint(1, x=2)),  # type: ignore[misc]
        (lambda: Point._make([1]), lambda: TypedPoint._make([1])),
        (lambda: Point(1)._replace(z=3), lambda: TypedPoint(1)._replace(z=3)),
        (lambda: One(), lambda: TypedOne()),  # type: ignore[call-arg]
    ]
    for ours, theirs in cases:
        assert _message(ours) == _message(theirs).replace("TypedPoint", "Point").replace(
            "TypedOne", "One"
        )


def test_records_of_no_and_one_field() -> None:
    assert Empty() == TypedEmpty() == ()
    assert repr(Empty()) == "Empty()" and repr(One("a")) == "One(only='a')"
    assert One("a") == TypedOne("a") == ("a",)
    assert One._make(["b"]).only == "b" and Empty._fields == ()


def test_the_rest_of_the_namedtuple_surface() -> None:
    p = Point(1, y=2)
    assert Point.__match_args__ == TypedPoint.__match_args__ == ("x", "y", "label")
    assert Point.__new__.__defaults__ == TypedPoint.__new__.__defaults__ == (0, None)
    assert Point.x.__doc__ == TypedPoint.x.__doc__ == "Alias for field number 0"
    assert Point.__new__.__qualname__ == "Point.__new__"
    assert p.__getnewargs__() == (1, 2, None)
    assert copy.copy(p) == p and copy.deepcopy(p) == p and type(copy.deepcopy(p)) is Point
    assert hash(p) == hash((1, 2, None))
    with pytest.raises(AttributeError):
        p.z = 3  # type: ignore[attr-defined]  # no __dict__: __slots__ is empty
    match p:
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:
            raise AssertionError("no match")
    with pytest.raises(ValueError, match="_"):

        class Private(NamedTuple):
            _hidden: int


# ------------------------------------------------------------------ Enum


class Colour(Enum):
    """Colours: the docstring stays."""

    RED = "red"
    GREEN = "green"
    CRIMSON = "red"  # an alias, as in enum

    def warm(self) -> bool:
        return self is Colour.RED


class StdColour(enum.Enum):
    RED = "red"
    GREEN = "green"
    CRIMSON = "red"


def test_enum_members_behave_as_enums_do() -> None:
    for ours, theirs in ((Colour, StdColour),):
        assert [m.name for m in ours] == [m.name for m in theirs] == ["RED", "GREEN"]
        assert [m.value for m in ours] == [m.value for m in theirs]
        assert len(ours) == len(theirs) == 2
        assert ours("red") is ours.RED is ours.CRIMSON is ours["CRIMSON"]
        assert ours(ours.GREEN) is ours.GREEN
        assert ours.RED in ours and "red" not in list(ours)
    assert repr(Colour.RED) == repr(StdColour.RED).replace("StdColour", "Colour")
    assert str(Colour.GREEN) == "Colour.GREEN" == str(StdColour.GREEN).replace("Std", "")
    assert Colour.__doc__ == "Colours: the docstring stays."
    assert Colour.RED.warm() and not Colour.GREEN.warm()
    assert {Colour.RED: 1}[Colour("red")] == 1 and Colour.RED != "red"


def test_enum_members_are_singletons_through_pickle_and_copy() -> None:
    for member in Colour:
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            assert pickle.loads(pickle.dumps(member, protocol)) is member
        assert copy.copy(member) is member and copy.deepcopy(member) is member


def test_enum_errors_say_what_enum_says() -> None:
    for cls in (Colour, StdColour):
        with pytest.raises(ValueError, match=r"^'blue' is not a valid (Std)?Colour$"):
            cls("blue")
        with pytest.raises(ValueError):
            cls([])  # unhashable: a ValueError too
        with pytest.raises(KeyError):
            cls["BLUE"]
        with pytest.raises(AttributeError):
            cls.RED = "x"  # type: ignore[misc]
        with pytest.raises(AttributeError):
            del cls.RED
    with pytest.raises(AttributeError):
        Colour.RED.x = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):

        class More(Colour):  # type: ignore[misc]
            BLUE = "blue"


def test_the_engine_enums_load_no_enum() -> None:
    code = "import sys, flake8_secret_key.engine; print('enum' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert out.stdout.strip() == "False"
