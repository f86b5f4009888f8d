"""The flake8 adapter: options in, ``(line, col, "SKY1xx message", type)`` out.

Kept light: it imports only the engine's records, the rules table and the options
(no libcst). It looks at the text before the tree, so a file that cannot hold a
setting costs a substring search; the visitor and the classifier are imported by
the first file that spells a setting name.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from flake8_secret_key import rules
from flake8_secret_key.engine import may_hold_setting
from flake8_secret_key.options import Config, OptionError, make_config


class SecretKeyChecker:
    """flake8 plugin entry point (``SKY``)."""

    # flake8 (>= 5) reads name and version from the distribution's metadata;
    # looking the version up here would cost every editor run a metadata scan.
    name = "flake8-secret-key"
    config: ClassVar[Config] = Config()

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option(
            "--secret-key-names",
            default=None,
            parse_from_config=True,
            comma_separated_list=True,
            help="Setting names that hold a secret key, comma separated "
            "(default: SECRET_KEY, SECRET_KEY_FALLBACKS, WTF_CSRF_SECRET_KEY, "
            "JWT_SECRET_KEY, SECURITY_PASSWORD_SALT, secret_key).",
        )
        parser.add_option(
            "--secret-key-known-keys-file",
            default=None,
            parse_from_config=True,
            normalize_paths=True,  # relative to the config file that names it
            help="A file of further published keys, one per line, reported as "
            "SKY101 (default: none; the built-in list is always used).",
        )
        parser.add_option(
            "--secret-key-include-tests",
            default=False,
            action="store_true",
            parse_from_config=True,
            help="Also check test code (test_*.py, *_test.py, conftest.py, "
            "tests/ and test/ folders), skipped by default.",
        )
        parser.extend_default_ignore(list(rules.DEFAULT_OFF))

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        try:
            cls.config = make_config(
                names=options.secret_key_names,
                known_keys_file=options.secret_key_known_keys_file,
                include_tests=bool(options.secret_key_include_tests),
            )
        except OptionError as exc:
            raise SystemExit(f"flake8-secret-key: {exc}") from None

    def run(self) -> Iterator[tuple[int, int, str, type[SecretKeyChecker]]]:
        config = self.config
        if not config.wants(self.filename):
            return
        if not may_hold_setting("".join(self.lines), config.engine):
            return
        from flake8_secret_key.engine.observer import observe  # the first file that needs it

        try:
            found = observe(self.tree, config.engine, self.lines)
        except (RecursionError, MemoryError):
            sys.stderr.write(
                f"flake8-secret-key: {self.filename}: too deeply nested to check, skipped\n"
            )
            return
        for obs in found:
            text = rules.flake8_text(obs)
            if text is not None:
                yield obs.line, obs.col, text, type(self)
