"""Find hardcoded web-framework secret keys and move them to the environment."""

from __future__ import annotations

from flake8_secret_key.engine import Kind, Observation, Options, Source, observe

__all__ = ["Kind", "Observation", "Options", "Source", "__version__", "observe"]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version

        return version("flake8-secret-key")
    raise AttributeError(name)
