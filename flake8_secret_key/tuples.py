"""``typing.NamedTuple``'s class syntax and a plain ``enum.Enum``, without importing
``typing`` or ``enum`` at run time.

``check`` and ``report`` start anew for every run, and ``typing`` was the
largest import on their way (3-5 ms, more than our own modules together):
nothing else they use needs it, but the records every module defines with
``class Row(NamedTuple)``. For the type checker this *is* ``typing.NamedTuple``;
at run time it makes the class ``collections.namedtuple`` would (same fields,
defaults, methods, errors, pickling), with the class body's methods, docstring
and field defaults, and skips what only ``typing`` does (turning each annotation
into a ``ForwardRef``, which compiles it).

``collections.namedtuple`` compiles a ``__new__`` for every record, half of
what a record costs to define; here one is compiled per number of fields and
renamed for each record (``code.replace``): defining the 18 records that
``report`` loads takes about half as long.

Use it like ``typing.NamedTuple``, with ``from __future__ import annotations``
(annotations are kept as they are, as strings).

``Enum`` is for the engine's two enumerations, which ``report`` and ``check``
load at start-up: ``enum`` costs them some 4 ms (with ``functools`` and
``collections``, which nothing else they load needs). It does what those
enumerations use: members with a ``name`` and a ``value``, compared by
identity, looked up by value (``Source("literal")``) or by name
(``Source["LITERAL"]``), iterated in definition order, pickled and copied as
themselves. For the type checker it *is* ``enum.Enum``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing

if TYPE_CHECKING:
    from enum import Enum as Enum
    from typing import NamedTuple as NamedTuple
else:
    from types import FunctionType

    try:
        from _collections import _tuplegetter
    except ImportError:  # pragma: no cover  (an interpreter without it)
        from operator import itemgetter

        def _tuplegetter(index, doc):
            return property(itemgetter(index), doc=doc)

    #: As in typing: not copied from the class body, and never overwritten.
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
         "_make", "_replace", "_asdict", "_source"}
    )  # fmt: skip

    class _RecordMeta(type):
        def __new__(mcls, name, bases, namespace):
            return _make(name, namespace)

    def _make(name, namespace):
        annotations = namespace.get("__annotations__", {})
        fields = tuple(annotations)
        defaults = tuple(namespace[f] for f in fields if f in namespace)
        if any(f not in namespace for f in fields[len(fields) - len(defaults) :]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        record = _record(name, fields, defaults, namespace["__module__"])
        record.__annotations__ = dict(annotations)
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in annotations:
                setattr(record, key, value)
        return record

    # What collections.namedtuple makes, without compiling a __new__ for every
    # record: the code of one is compiled per number of fields, then renamed.

    _NEW_CODE = {}  # number of fields -> code of ``lambda _cls, a0, ...: (a0, ...)``
    _NEW_GLOBALS = {"_tuple_new": tuple.__new__, "__builtins__": {}}

    def _new(name, fields, defaults):
        code = _NEW_CODE.get(len(fields))
        if code is None:
            params = [f"a{i}" for i in range(len(fields))]
            values = "".join(f"{p}, " for p in params)
            source = f"lambda {', '.join(['_cls', *params])}: _tuple_new(_cls, ({values}))"
            code = _NEW_CODE[len(fields)] = eval(source, _NEW_GLOBALS).__code__
        code = code.replace(co_varnames=("_cls", *fields), co_name="__new__")
        new = FunctionType(code, _NEW_GLOBALS, "__new__", defaults or None)
        new.__qualname__ = f"{name}.__new__"
        new.__doc__ = f"Create new instance of {name}({', '.join(fields)})"
        return new

    def _make_record(cls, iterable):
        """Make a new record from a sequence or iterable"""
        result = tuple.__new__(cls, iterable)
        if len(result) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
        return result

    def _replace(self, /, **kwds):
        """Return a new record replacing specified fields with new values"""
        result = self._make(map(kwds.pop, self._fields, self))
        if kwds:
            raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
        return result

    def _repr(self):
        """Return a nicely formatted representation string"""
        values = ", ".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
        return f"{self.__class__.__name__}({values})"

    def _asdict(self):
        """Return a new dict which maps field names to their values."""
        return dict(zip(self._fields, self, strict=True))

    def _getnewargs(self):
        """Return self as a plain tuple.  Used by copy and pickle."""
        return tuple(self)

    def _record(name, fields, defaults, module):
        if any(f.startswith("_") for f in fields):  # distinct already: annotation keys
            raise ValueError(f"{name}: field names must not start with _")
        namespace = {
            "__doc__": f"{name}({', '.join(fields)})",
            "__slots__": (),
            "_fields": fields,
            "_field_defaults": dict(
                zip(fields[len(fields) - len(defaults) :], defaults, strict=True)
            ),
            "__new__": _new(name, fields, defaults),
            "_make": classmethod(_make_record),
            "_replace": _replace,
            "__repr__": _repr,
            "_asdict": _asdict,
            "__getnewargs__": _getnewargs,
            "__match_args__": fields,
            "__module__": module,
        }
        for index, field in enumerate(fields):
            namespace[field] = _tuplegetter(index, f"Alias for field number {index}")
        return type(name, (tuple,), namespace)

    _Record = type.__new__(_RecordMeta, "NamedTuple", (), {})

    def NamedTuple(*args, **kwargs):
        raise TypeError("use the class syntax: class Name(NamedTuple): ...")

    NamedTuple.__mro_entries__ = lambda bases: (_Record,)

    # ------------------------------------------------------------------ Enum

    class _EnumMeta(type):
        """Makes each public name of an ``Enum`` subclass's body a member."""

        def __new__(mcls, name, bases, namespace):
            values = {
                key: value
                for key, value in namespace.items()
                if not key.startswith("_") and not hasattr(value, "__get__")
            }
            body = {k: v for k, v in namespace.items() if k not in values}
            body.setdefault("__slots__", ())
            cls = super().__new__(mcls, name, bases, body)
            if values and any(getattr(b, "_members_", None) for b in bases):
                raise TypeError(f"{name}: cannot extend an enumeration with members")
            by_name, by_value = {}, {}
            for key, value in values.items():
                member = by_value.get(value)  # a second name for a value: an alias
                if member is None:
                    member = object.__new__(cls)
                    object.__setattr__(member, "_name_", key)
                    object.__setattr__(member, "_value_", value)
                    by_value[value] = member
                by_name[key] = member
                type.__setattr__(cls, key, member)
            type.__setattr__(cls, "_members_", by_name)
            type.__setattr__(cls, "_by_value_", by_value)
            return cls

        def __call__(cls, value):
            try:
                return cls._by_value_[value]
            except (KeyError, TypeError):  # TypeError: an unhashable value
                pass
            if isinstance(value, cls):
                return value
            raise ValueError(f"{value!r} is not a valid {cls.__qualname__}")

        def __getitem__(cls, name):
            return cls._members_[name]

        def __iter__(cls):
            return iter(cls._by_value_.values())

        def __len__(cls):
            return len(cls._by_value_)

        def __contains__(cls, member):
            return isinstance(member, cls) and member._name_ in cls._members_

        def __setattr__(cls, name, value):
            if name in cls.__dict__.get("_members_", ()):
                raise AttributeError(f"cannot reassign member {name!r}")
            super().__setattr__(name, value)

        def __delattr__(cls, name):
            if name in cls.__dict__.get("_members_", ()):
                raise AttributeError(f"cannot delete member {name!r}")
            super().__delattr__(name)

        def __repr__(cls):
            return f"<enum {cls.__name__!r}>"

    class Enum(metaclass=_EnumMeta):
        __slots__ = ("_name_", "_value_")

        @property
        def name(self):
            """The member's name."""
            return self._name_

        @property
        def value(self):
            """The member's value."""
            return self._value_

        def __repr__(self):
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

        def __str__(self):
            return f"{type(self).__name__}.{self._name_}"

        def __hash__(self):
            return hash(self._name_)

        def __setattr__(self, name, value):
            raise AttributeError(f"cannot set {name!r} of {self!r}")

        def __delattr__(self, name):
            raise AttributeError(f"cannot delete {name!r} of {self!r}")

        def __reduce_ex__(self, protocol):
            return type(self), (self._value_,)

        def __copy__(self):
            return self

        def __deepcopy__(self, memo):
            return self
