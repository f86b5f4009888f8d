"""The detection engine: an ``ast`` tree (plus options) in, observations out.

* ``settings.py``: where a key is set (one ``ast.NodeVisitor`` pass);
* ``scopes.py``: which binding a name refers to, per scope, as Python resolves it;
* ``values.py``: what the value is (literal, fallback, generated, environment...),
  each node classified once; ``literals.py``: values computed from literals and
  the callees known by name; ``nodes.py``: small questions about one node;
* ``observer.py``: the entry points, and observations built from sites and values;
* ``model.py``: the records the front ends read.

Published keys live in ``flake8_secret_key.known_keys``.
"""

from typing import TYPE_CHECKING, Any

from flake8_secret_key.engine.model import (
    DEFAULT_NAMES,
    DEFAULT_OPTIONS,
    LIST_SETTINGS,
    Kind,
    Observation,
    Options,
    Source,
    SourceError,
    Span,
    env_name,
    may_hold_setting,
    may_hold_setting_bytes,
)

if TYPE_CHECKING:
    from flake8_secret_key.engine.observer import observe, observe_text, parse, split_lines

#: Loaded at first use (PEP 562): the flake8 plugin, started anew for every check an
#: editor makes, imports the visitor and the classifier only for a file whose text
#: spells a setting name (``may_hold_setting``); most files do not.
_OBSERVE = frozenset({"observe", "observe_text", "parse", "split_lines"})


def __getattr__(name: str) -> Any:
    if name in _OBSERVE:
        from flake8_secret_key.engine import observer as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_NAMES",
    "DEFAULT_OPTIONS",
    "LIST_SETTINGS",
    "Kind",
    "Observation",
    "Options",
    "Source",
    "SourceError",
    "Span",
    "env_name",
    "may_hold_setting",
    "may_hold_setting_bytes",
    "observe",
    "observe_text",
    "parse",
    "split_lines",
]
