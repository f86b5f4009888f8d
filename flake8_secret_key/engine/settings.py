"""Where a secret key is set: one ``ast.NodeVisitor`` pass over the module.

``SettingsVisitor`` has one ``visit_*`` method per kind of node that can set a key
(assignments, calls, dict displays, function defaults, class bodies), and records
each place as a ``Site``: the setting's name, how it is written, the expression it
is set to, and the fix for that very place. It judges no value: the classifier
(``values.py``) does that after the walk, when every binding is known.

On the same pass it builds the scopes and bindings that names are resolved with
(``scopes.py``), and notes the expressions that may read the environment.

Every setting spells its name (or ``from_prefixed_env``), so a statement whose lines
spell none holds no setting: when the lines are given, such a statement is visited
*light*, for what it binds only (names and their values, imports, functions,
classes, loop targets), without its expressions. The names inside such a value get
their scope only if the classifier follows it (``pending``). In a real module most
statements are light, so the walk costs a fraction of the parse. After the import of
a signing library every statement is visited whole: its calls may use any alias the
import binds (``libraries.py``; the observer resolves them after the walk).

Children are visited from a work list, not by recursion (``generic_visit`` queues
them), so a tree of any depth is walked; a visitor that must do something after a
subtree (leave a scope, bind a name once its value is visited) queues a function.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from flake8_secret_key.engine.libraries import MODULE_WORDS, Setting, setting
from flake8_secret_key.engine.model import Kind, spelled_lines
from flake8_secret_key.engine.nodes import catches_missing, dotted, pair_targets, render, str_const
from flake8_secret_key.engine.scopes import Binding, Block, Scope, Use
from flake8_secret_key.engine.sites import Site, TryBody

#: ``class EnvProvider: SECRET_KEY = "AWS_SECRET_ACCESS_KEY"`` names a variable.
_ENV_VAR_NAME = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"  # compiled at first use
#: Calls in a pydantic settings class whose default is the field's default.
_FIELD_CALLS = ("Field", "SecretStr", "SecretBytes")
_KEEP = object()  # "leave the handler context as it is"
#: Statements with arms (bodies) of statements.
_COMPOUND = (
    *(ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match),
    getattr(ast, "TryStar", ast.Try),  # Python 3.11
)


Item = ast.AST | Callable[[], None]


class SettingsVisitor(ast.NodeVisitor):
    """Records settings, scopes, bindings, name uses and possible environment reads."""

    def __init__(self, names: frozenset[str], lines: Sequence[str] | None = None) -> None:
        self.names = names
        #: A lowercase name (``secret_key``) is a setting only as an attribute, a
        #: pydantic field, or the keyword of a library's call (``libraries.py``).
        self.upper = frozenset(n for n in names if n.isupper())
        self.calls: list[ast.Call] = []  # every call: a library's callee, once resolved
        self.imported: set[str] = set()  # the top-level modules imported anywhere
        self.module = Scope("module")
        self.sites: list[Site] = []
        self.uses: dict[ast.Name, Use] = {}
        self.reads: list[ast.expr] = []  # calls and subscripts, in order
        self.combos: list[ast.expr] = []  # ``a or b``, ``a if c else b``, in order
        self.settings_classes = {"BaseSettings"}
        self.enum_classes: set[str] = set()  # their members are no settings (enums.py)
        #: The values bound by light statements, with where they were evaluated.
        self.pending: dict[ast.expr, Use] = {}
        self._spelled = spelled_lines(lines, names)
        self._light = False  # in a statement that spells no setting name
        self._whole = False  # in a try body whose handlers may set a key: visit all
        self._scope = self.module
        self._blocks: tuple[Block, ...] = ()
        self._handler: TryBody | None = None
        self._order = 0  # bumped by each binding: orders bindings and uses
        self._todo: list[Item] = []
        self._methods: dict[type[ast.AST], Callable[[Any], None]] = {}

    def run(self, tree: ast.AST) -> None:
        self._todo.append(tree)
        while self._todo:
            item = self._todo.pop()
            if isinstance(item, ast.AST):
                self.visit(item)
            else:
                item()

    def visit(self, node: ast.AST) -> None:
        """``NodeVisitor.visit``, with the method of each node class looked up once."""
        if isinstance(node, ast.stmt) and not self._whole:
            if self._light or not self._spells(node):
                if self._bind_only(node):
                    return  # a simple statement: what it binds is recorded
                if not self._light:  # a compound one: its arms, light
                    self._then(*self._inside([node], light=True))
                    return
        method = self._methods.get(type(node))
        if method is None:
            name = "visit_" + type(node).__name__
            method = self._methods[type(node)] = getattr(self, name, self.generic_visit)
        method(node)

    def generic_visit(self, node: ast.AST) -> None:
        self._then(*ast.iter_child_nodes(node))

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing under a constant (NodeVisitor's own method serves old visitors)."""

    def _then(self, *items: Item) -> None:
        """Visit these next, in this order, before anything queued already (but no
        expressions in a light statement)."""
        if self._light:
            items = tuple(item for item in items if not isinstance(item, ast.expr))
        self._todo.extend(reversed(items))

    def _spells(self, node: ast.stmt) -> bool:
        """Whether the lines of ``node`` (its decorators too) spell a setting name."""
        spelled = self._spelled
        if spelled is None or not hasattr(node, "lineno"):
            return True
        decorators: list[ast.expr] = getattr(node, "decorator_list", [])
        first: int = min([node.lineno, *(d.lineno for d in decorators)])
        at = bisect_left(spelled, first)  # the first spelled line from the statement's on
        return at < len(spelled) and spelled[at] <= (node.end_lineno or first)

    def _inside(
        self,
        items: Iterable[Item],
        scope: Scope | None = None,
        block: tuple[ast.AST, str] | None = None,
        handler: object = _KEEP,
        light: bool = False,
        whole: bool = False,
    ) -> list[Item]:
        """``items``, visited in another scope, arm of a statement, ``except``, or as
        a light statement or a try body visited whole."""
        saved = (self._scope, self._blocks, self._handler, self._light, self._whole)

        def enter() -> None:
            if scope is not None:
                self._scope, self._blocks = scope, ()
                if scope.kind != "comprehension":
                    self._handler = None  # a function body runs apart from the try
            if block is not None:
                self._blocks = (*self._blocks, (id(block[0]), block[1]))
            if handler is not _KEEP:
                self._handler = handler  # type: ignore[assignment]
            self._light = self._light or light
            self._whole = self._whole or whole

        def leave() -> None:
            self._scope, self._blocks, self._handler, self._light, self._whole = saved

        return [enter, *items, leave]

    # -- settings -----------------------------------------------------------------

    def _site(
        self,
        name: str,
        kind: Kind,
        target: str,
        value: ast.expr,
        fix: tuple[str, str],
        receiver: ast.expr | None = None,
        row: Setting | None = None,  # a setting one library reads by name
    ) -> None:
        site = Site(name, kind, target, value, value, self._scope, fix, self._handler, receiver)
        if row is not None:
            site = site._replace(name=row.env, signs=row.signs, gate=row.module)
        self.sites.append(site)

    def _bind_only(self, node: ast.stmt) -> bool:
        """Record what a statement that spells no setting name binds; False for a
        compound statement, whose arms are visited (light) for theirs."""
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            if node.value is not None:  # its names get their scope if it is followed
                self.pending[node.value] = Use(self._scope, self._order, self._blocks)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                self._bind_targets(targets, node.value)
        elif isinstance(node, (ast.AugAssign, ast.Delete)):
            self._bind_targets(
                node.targets if isinstance(node, ast.Delete) else [node.target], None
            )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(node.name, None)  # no setting inside: what it binds inside is its own
        elif isinstance(node, ast.ClassDef):
            self._settings_class(node)
            self._enum(node)
            self._bind(node.name, None)
        elif isinstance(node, ast.Import):
            self.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            self.visit_ImportFrom(node)
        elif isinstance(node, ast.Global):
            self.visit_Global(node)
        elif isinstance(node, ast.Nonlocal):
            self.visit_Nonlocal(node)
        elif isinstance(node, _COMPOUND):
            return False
        return True

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            for t, v in pair_targets(target, node.value):
                self._store(t, v)
        self._then(node.value, lambda: self._bind_targets(node.targets, node.value), *node.targets)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        target, value = node.target, node.value
        if value is not None:
            self._store(target, value)
        elif self._scope.settings_class and isinstance(target, ast.Name):
            if target.id in self.names:  # a pydantic field without default: required
                self._field(target.id, target, None)
        items: list[Item] = [node.annotation]
        if value is not None:
            items += [value, lambda: self._bind_targets([target], value)]
        self._then(*items, target)

    def _store(self, target: ast.expr, value: ast.expr) -> None:
        """``target = value``: a setting if the target is one."""
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            attribute = isinstance(target, ast.Attribute)
            name = target.attr if isinstance(target, ast.Attribute) else str_const(target.slice)
            holder = render(target.value)
            where = f"{holder}.{name}" if attribute else f'{holder}["{name}"]'
            row = setting(name or "", target.value)
            if row is not None and attribute and row.holder is None:
                row = None  # x.cookie_secret = v: Tornado reads its settings dict only
            if name in (self.names if attribute else self.upper) or row is not None:
                how = Kind.ATTRIBUTE if attribute else Kind.SUBSCRIPT
                self._site(name or "", how, where, value, (f"{where} = ", ""), row=row)
        elif isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            self._entries(value, target)  # SIMPLE_JWT = {"SIGNING_KEY": ...}
        if isinstance(target, ast.Name) and target.id in self.names:
            name, kind = target.id, self._scope.kind
            if kind == "class" and self._scope.settings_class:
                self._field(name, value, value)
            elif name not in self.upper or (  # a plain variable named secret_key: none
                kind == "class" and re.fullmatch(_ENV_VAR_NAME, str_const(value) or "")
            ):
                pass  # or one that names an environment variable, for a settings provider
            elif kind == "module" or (kind == "class" and not self._member(value)):
                self._site(name, Kind.NAME, name, value, (f"{name} = ", ""))

    def _field(self, name: str, at: ast.expr, value: ast.expr | None) -> None:
        """A pydantic settings field: its default is a fallback for the variable."""
        if isinstance(value, ast.Call) and (dotted(value.func) or "").endswith(_FIELD_CALLS):
            defaults = [k.value for k in value.keywords if k.arg == "default"] + value.args[:1]
            value = defaults[0] if defaults else None
        target = f"the settings field {name}"
        self.sites.append(Site(name, Kind.FIELD, target, at, value, self._scope))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        label = render(func)
        method = func.attr if isinstance(func, ast.Attribute) else None
        env_schema = (dotted(func) or "").rsplit(".", 1)[-1] == "Env"
        for kw in node.keywords:
            row = setting(kw.arg or "", None)  # dict(cookie_secret=...)
            if kw.arg is not None and (kw.arg in self.upper or row is not None):
                if env_schema and isinstance(kw.value, ast.Tuple):
                    self._env_schema(kw.arg, kw.value)
                else:
                    target = f"the {kw.arg}= argument of {label}"
                    fix = (f"{label}(..., {kw.arg}=", ")")
                    self._site(kw.arg, Kind.KEYWORD, target, kw.value, fix, row=row)
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) == 3:
            name = str_const(node.args[1])
            if name is not None and name in self.names:
                obj = render(node.args[0])
                fix = (f'setattr({obj}, "{name}", ', ")")
                self._site(name, Kind.SETATTR, f"{obj}.{name}", node.args[2], fix)
        if method in {"update", "from_mapping"}:
            for arg in node.args:
                if isinstance(arg, (ast.List, ast.Tuple)):
                    self._pairs(arg)
        elif method == "setdefault" and len(node.args) == 2:
            assert isinstance(func, ast.Attribute)
            name = str_const(node.args[0])
            if name is not None and name in self.upper:
                where = render(func.value)
                fix = (f'{where}.setdefault("{name}", ', ")")
                self._site(
                    name, Kind.SETDEFAULT, f'{where}["{name}"]', node.args[1], fix, func.value
                )
        elif method == "from_prefixed_env" and "SECRET_KEY" in self.names:
            self.sites.append(
                Site("SECRET_KEY", Kind.PREFIXED_ENV, f"{label}()", node, None, self._scope)
            )
        if node.args:
            self.reads.append(node)
        self.calls.append(node)
        self.generic_visit(node)

    def _pairs(self, seq: ast.List | ast.Tuple) -> None:
        """``config.update([("SECRET_KEY", v), ...])``."""
        for item in seq.elts:
            if isinstance(item, (ast.Tuple, ast.List)) and len(item.elts) == 2:
                name = str_const(item.elts[0])
                if name is not None and name in self.upper:
                    target, fix = f'the ("{name}", ...) pair', (f'("{name}", ', ")")
                    self._site(name, Kind.PAIR, target, item.elts[1], fix)

    def _env_schema(self, name: str, schema: ast.Tuple) -> None:
        """django-environ: ``environ.Env(SECRET_KEY=(str, "default"))``."""
        if len(schema.elts) >= 2:
            target = f"environ.Env({name}=...)"
            self.sites.append(
                Site(name, Kind.ENV_SCHEMA, target, schema, schema.elts[1], self._scope)
            )

    def visit_Dict(self, node: ast.Dict) -> None:
        self._entries(node, None)
        self.generic_visit(node)

    def _entries(self, node: ast.Dict, holder: ast.Name | None) -> None:
        """The setting entries of a dict display (``holder``: the name it is assigned
        to, for the library settings that only one dict holds)."""
        for key, value in zip(node.keys, node.values, strict=True):
            name = str_const(key) or ""
            target, fix = f'the "{name}" entry', (f'"{name}": ', "")
            row = setting(name, holder)
            if holder is None and name in self.upper:
                self._site(name, Kind.DICT_ENTRY, target, value, fix)
            elif row is not None and (holder is None) == (row.holder is None):
                self._site(name, Kind.DICT_ENTRY, target, value, fix, row=row)

    def _defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        """``def create_app(SECRET_KEY="dev")``: a default is a value too (a lowercase
        parameter is no setting: ``def encrypt(data, secret_key="k")``)."""
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        function = getattr(node, "name", "lambda")
        for arg, default in pairs:
            if arg.arg in self.upper:
                target = f"the default of {function}({arg.arg}=)"
                fix = (f"def {function}(..., {arg.arg}=", ")")
                self._site(arg.arg, Kind.DEFAULT, target, default, fix)

    # -- expressions that may read the environment -----------------------------------

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            self.reads.append(node)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if isinstance(node.op, ast.Or):
            self.combos.append(node)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.combos.append(node)
        self.generic_visit(node)

    # -- scopes -------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._defaults(node)
        scope = Scope("function", self._scope)
        body = self._inside([lambda: self._bind_parameters(node.args), *node.body], scope)
        outer = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
        self._then(*outer, lambda: self._bind(node.name, None), *body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._defaults(node)
        scope = Scope("function", self._scope)
        body = self._inside([lambda: self._bind_parameters(node.args), node.body], scope)
        self._then(node.args, *body)

    def _settings_class(self, node: ast.ClassDef) -> bool:
        """Whether ``node`` is a pydantic settings class (its subclasses are too)."""
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
        if bases & self.settings_classes:
            self.settings_classes.add(node.name)
            return True
        return False

    def _enum(self, node: ast.ClassDef) -> bool:
        """Whether ``node`` is an enum (``enums.py``: loaded at the first class statement,
        so that the flake8 plugin's run on a module without one never loads it)."""
        from flake8_secret_key.engine.enums import is_enum

        return is_enum(node, self._scope, self.enum_classes)

    def _member(self, value: ast.expr) -> bool:
        """Whether a name of this class body set to ``value`` is an enum's member."""
        from flake8_secret_key.engine.enums import is_member  # loaded by ``_enum``

        return is_member(self._scope, value)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        scope = Scope("class", self._scope, settings_class=self._settings_class(node))
        scope.enum = self._enum(node)
        outer = [*node.decorator_list, *node.bases, *node.keywords]
        self._then(*outer, *self._inside(node.body, scope), lambda: self._bind(node.name, None))

    def _comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        *results: ast.expr,
    ) -> None:
        items: list[Item] = []
        for generator in node.generators:
            target = generator.target
            items += [generator.iter, partial(self._bind_targets, [target], None), target]
            items += generator.ifs
        self._then(*self._inside([*items, *results], Scope("comprehension", self._scope)))

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, node.elt)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node, node.elt)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, node.elt)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, node.key, node.value)

    def visit_Global(self, node: ast.Global) -> None:
        self._scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self._scope.nonlocals.update(node.names)

    # -- branches: which bindings can reach a use --------------------------------------

    def visit_If(self, node: ast.If) -> None:
        self._then(
            node.test,
            *self._inside(node.body, block=(node, "body")),
            *self._inside(node.orelse, block=(node, "else")),
        )

    def visit_While(self, node: ast.While) -> None:
        self.visit_If(node)  # type: ignore[arg-type]  # test, body, orelse: the same shape

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        bind = lambda: self._bind_targets([node.target], None)  # noqa: E731
        self._then(
            node.iter,
            *self._inside([bind, node.target, *node.body], block=(node, "body")),
            *self._inside(node.orelse, block=(node, "else")),
        )

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        items: list[Item] = []
        for item in node.items:
            items.append(item.context_expr)
            if item.optional_vars is not None:
                target = item.optional_vars
                items += [partial(self._bind_targets, [target], None), target]
        self._then(*items, *node.body)

    visit_AsyncWith = visit_With

    def visit_Try(self, node: ast.Try) -> None:
        """The handlers of a ``try`` whose body reads the environment make fallbacks."""
        body = TryBody(len(self.reads), self._handler)

        def body_done() -> None:
            body.end = len(self.reads)

        whole = not self._light  # its handlers may set a key: each read of the body counts
        items = [*self._inside(node.body, block=(node, "body"), whole=whole), body_done]
        for i, handler in enumerate(node.handlers):
            context = body if catches_missing(handler) else _KEEP
            items += self._inside([handler], block=(node, f"except{i}"), handler=context)
        items += self._inside(node.orelse, block=(node, "else"))
        self._then(*items, *node.finalbody)

    def visit_TryStar(self, node: ast.TryStar) -> None:
        self.visit_Try(node)  # type: ignore[arg-type]  # the same fields as Try

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        items: list[Item] = [node.type] if node.type else []
        if node.name:
            name = node.name
            items.append(lambda: self._bind(name, None))
        self._then(*items, *node.body)

    def visit_Match(self, node: ast.Match) -> None:
        arms = [
            self._inside([case], block=(node, f"case{i}")) for i, case in enumerate(node.cases)
        ]
        self._then(node.subject, *(item for arm in arms for item in arm))

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name, None)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name, None)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest, None)
        self.generic_visit(node)

    # -- bindings and uses ----------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.uses[node] = Use(self._scope, self._order, self._blocks)
        elif isinstance(node.ctx, ast.Del):
            self._bind(node.id, None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        scope = self._scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent  # a walrus in a comprehension binds outside it
        self._then(node.value, lambda: self._bind(node.target.id, node.value, scope=scope))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._then(node.value, lambda: self._bind_targets([node.target], None), node.target)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imports(alias.name)
            if alias.asname:
                self._bind(alias.asname, None, imported=alias.name)
            else:  # ``import os.path`` binds os
                top = alias.name.split(".")[0]
                self._bind(top, None, imported=top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * (node.level or 0) + (node.module or "")
        self._imports(module)
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name, None, imported=f"{module}.{alias.name}")

    def _imports(self, module: str) -> None:
        """Note an imported module; after a signing library's, visit every statement."""
        top = module.split(".")[0]
        self.imported.add(top)
        if top in MODULE_WORDS:
            self._spelled = None

    def _bind(
        self,
        name: str,
        value: ast.expr | None,
        imported: str | None = None,
        scope: Scope | None = None,
    ) -> None:
        scope = (scope or self._scope).store_scope(name)
        blocks = self._blocks
        if scope is not self._scope:  # global, nonlocal, a walrus in a comprehension:
            blocks = ((id(self._scope), "elsewhere"),)  # it may run at any time there
        self._order += 1
        scope.bindings.setdefault(name, []).append(
            Binding(name, value, self._order, blocks, imported)
        )

    def _bind_targets(self, targets: Iterable[ast.expr], value: ast.expr | None) -> None:
        """Bind the names in assignment targets, each to its value where it is known."""
        for target in targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, value)
            elif isinstance(target, (ast.Tuple, ast.List)):
                pairs = list(pair_targets(target, value)) if value is not None else []
                if pairs:
                    for t, v in pairs:
                        self._bind_targets([t], v)
                else:
                    self._bind_targets(target.elts, None)
            elif isinstance(target, ast.Starred):
                self._bind_targets([target.value], None)

    def _bind_parameters(self, args: ast.arguments) -> None:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for arg in every:
            if arg is not None:
                self._bind(arg.arg, None)
