"""Find hardcoded web-framework secret keys and move them to the environment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flake8_secret_key.engine import Kind, Observation, Options, Source

if TYPE_CHECKING:
    from flake8_secret_key.engine.observer import observe

__all__ = ["Kind", "Observation", "Options", "Source", "__version__", "observe"]


def __getattr__(name: str) -> Any:
    """``observe`` (the engine: loaded at first use) and ``__version__``."""
    if name == "observe":
        from flake8_secret_key.engine.observer import observe

        return observe
    if name == "__version__":
        from importlib.metadata import version

        return version("flake8-secret-key")
    raise AttributeError(name)
