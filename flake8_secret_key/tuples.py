"""``typing.NamedTuple``'s class syntax, without importing ``typing`` at run time.

``check`` and ``report`` start anew for every run, and ``typing`` was the
largest import on their way (3-5 ms, more than our own modules together):
nothing else they use needs it, but the records every module defines with
``class Row(NamedTuple)``. For the type checker this *is* ``typing.NamedTuple``;
at run time it makes the very same class, a ``collections.namedtuple`` with the
class body's methods, docstring and field defaults, and skips what only
``typing`` does (turning each annotation into a ``ForwardRef``, which compiles
it: a third of the cost of defining a record).

Use it like ``typing.NamedTuple``, with ``from __future__ import annotations``
(annotations are kept as they are, as strings).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    import collections

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
        fields = list(annotations)
        defaults = [namespace[f] for f in fields if f in namespace]
        if any(f not in namespace for f in fields[len(fields) - len(defaults) :]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        record = collections.namedtuple(
            name, fields, defaults=defaults, module=namespace["__module__"]
        )
        record.__annotations__ = dict(annotations)
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in annotations:
                setattr(record, key, value)
        return record

    _Record = type.__new__(_RecordMeta, "NamedTuple", (), {})

    def NamedTuple(*args, **kwargs):
        raise TypeError("use the class syntax: class Name(NamedTuple): ...")

    NamedTuple.__mro_entries__ = lambda bases: (_Record,)
