"""The sandbox merchants' templates run in: untrusted Jinja code with bounded time and memory.

A merchant's template is untrusted code running in the server: it gets only plain data, a short
list of filters, no loader (no include/import/extends), and bounded time and memory (source size,
output size, loop iterations, string sizes). Every failure is a ``TemplateError`` that names the
line, so the dashboard can show it next to the editor.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from babel.core import UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton
from jinja2 import DictLoader, StrictUndefined, TemplateSyntaxError, nodes, pass_eval_context
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import SecurityError, TemplateRuntimeError, UndefinedError
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.localtime import shopper_time_text


class TemplateError(Unprocessable):
    """A template that cannot be rendered: syntax, sandbox refusal, unknown variable or a limit reached."""

    code = "invalid_template"


MAX_SOURCE_CHARS = 20_000  # per part; generous for a hand-written email
MAX_OUTPUT_CHARS = 100_000  # per part; Gmail clips messages past ~102 KB anyway
MAX_STRING_CHARS = MAX_OUTPUT_CHARS  # any intermediate string or list a template builds
MAX_ITERATIONS = 10_000  # all loop iterations of one render together; bounds CPU, not just output
MAX_NUMBER = 100_000  # integers passed to calls or powers; stops "x".ljust(10**9) and 9**9**9
_FORBIDDEN_TAGS = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_WIDE_FORMAT = re.compile(r"\d{6,}")


# -- filters ---------------------------------------------------------------------------------------------


def format_day(value: date, format: str = "medium", *, locale: str) -> str:
    """A calendar date in the reader's language."""
    return format_date(value, format, locale=locale)


def format_moment(value: datetime, zone: str | None = None, *, locale: str) -> str:
    """Date, hours and minutes where the scan happened, with the zone's short name ("CST") so
    nobody reads it as their own."""
    if value.tzinfo is None:
        raise TemplateRuntimeError("datetime filter needs a time with a zone")
    return shopper_time_text(value, zone, locale)


def format_estimate(value: Iterable[date] | date | None, weekday: bool = False, *, locale: str) -> str:
    """ "Nov 24" or "Nov 24 – 26": a delivery window the way the locale writes date ranges."""
    if value is None:
        return ""
    if isinstance(value, date):
        earliest = latest = value
    else:
        earliest, latest = tuple(value)
    if earliest == latest:
        return format_skeleton("MMMEd" if weekday else "MMMd", earliest, locale=locale)
    return format_interval(earliest, latest, "MMMEd" if weekday else "MMMd", locale=locale)


# -- the sandbox -----------------------------------------------------------------------------------------

_iterations: ContextVar[list[int]] = ContextVar("template_iterations")


def bounded_iteration(iterable: Iterable[Any]) -> Iterator[Any]:
    """Counts every loop step of a render; injected around each ``{% for %}`` by ``_guard_loops``."""
    counter = _iterations.get()
    for value in iterable:
        counter[0] += 1
        if counter[0] > MAX_ITERATIONS:
            raise SecurityError(f"template loops ran more than {MAX_ITERATIONS} times")
        yield value


def _check_size(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_STRING_CHARS:
        raise SecurityError(f"template built a value longer than {MAX_STRING_CHARS} characters")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise SecurityError("template built a number that is too large")
    return value


class BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the size limit (no doubling a string in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_size(value))


class MessageSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size guards on the operations that can allocate without bound."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if repeated and len(seq) * n > MAX_STRING_CHARS:
                    raise SecurityError("template tried to repeat a string or list beyond the size limit")
        if operator == "**" and (
            not isinstance(right, int | float) or abs(right) > 64 or abs(left) > MAX_NUMBER
        ):
            raise SecurityError("template tried to raise to a power beyond the limit")
        sized = (str, list, tuple)
        joined = operator == "+" and isinstance(left, sized) and isinstance(right, sized)
        if joined and len(left) + len(right) > MAX_STRING_CHARS:
            raise SecurityError(f"template built a value longer than {MAX_STRING_CHARS} characters")
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise SecurityError("template used a format width beyond the limit")
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and not isinstance(argument, bool) and abs(argument) > MAX_NUMBER:
                raise SecurityError(f"template passed a number above {MAX_NUMBER} to a function")
            if isinstance(argument, str) and _WIDE_FORMAT.search(argument) and "format" in str(__obj):
                raise SecurityError("template used a format width beyond the limit")
            _check_size(argument)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            grown = len(owner) + (owner.count(old) if old else len(owner) + 1) * len(new)
            if grown > MAX_STRING_CHARS:
                raise SecurityError("template replace() would build a value beyond the size limit")
        if (
            isinstance(owner, str)
            and _WIDE_FORMAT.search(owner)
            and getattr(__obj, "__name__", "")
            in (
                "format",
                "format_map",
            )
        ):
            raise SecurityError("template used a format width beyond the limit")
        return _check_size(super().call(__context, __obj, *args, **kwargs))


@pass_eval_context
def _bounded_replace(eval_ctx: EvalContext, value: Any, old: str, new: str, count: int | None = None) -> Any:
    text = str(value)
    grown = len(text) + (text.count(old) if old else len(text) + 1) * len(new)
    if grown > MAX_STRING_CHARS:
        raise SecurityError("template replace would build a value beyond the size limit")
    return _BASE_FILTERS["replace"](eval_ctx, value, old, new, count)


_BASE_FILTERS = ImmutableSandboxedEnvironment().filters
# Filters that pad, repeat, format or randomise are left out: they can allocate without bound or make
# output depend on chance, and a notification has no use for them. "safe" is left out so shopper data
# is always escaped in HTML.
_ALLOWED_FILTERS = [
    *("abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "groupby"),
    *("int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr"),
    *("reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum", "title", "tojson"),
    *("trim", "truncate", "unique", "upper", "urlencode", "wordcount"),
]


@lru_cache(maxsize=16)
def _environment(locale: str, html: bool) -> MessageSandbox:
    env = MessageSandbox(
        loader=DictLoader({}),  # knows no template at all: include/import/extends find nothing to read
        undefined=StrictUndefined,
        autoescape=html,
        keep_trailing_newline=False,
    )
    env.filters = {name: _BASE_FILTERS[name] for name in _ALLOWED_FILTERS}
    env.filters["replace"] = _bounded_replace
    env.filters["date"] = partial(format_day, locale=locale)
    env.filters["datetime"] = partial(format_moment, locale=locale)
    env.filters["estimate"] = partial(format_estimate, locale=locale)
    env.globals = {"range": env.globals["range"], "dict": dict, "namespace": BoundedNamespace}
    return env


def _guard_loops(tree: nodes.Template, name: str) -> nodes.Template:
    """Refuse tags that reach other templates and count loop steps: both decided before anything runs."""
    for node in tree.find_all(_FORBIDDEN_TAGS):
        tag = type(node).__name__.lower().replace("fromimport", "from-import")
        raise TemplateError(
            f"{name}, line {node.lineno}: templates cannot {tag} other templates; "
            "write everything in this one template"
        )
    guard = nodes.ImportedName(f"{__name__}.bounded_iteration")
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
    for concat in list(tree.find_all(nodes.Concat)):
        concat.nodes = [
            nodes.Call(nodes.ImportedName(f"{__name__}._check_size"), [n], [], None, None)
            for n in concat.nodes
        ]
    return tree


@lru_cache(maxsize=512)
def _compile(source: str, name: str, locale: str, html: bool) -> JinjaTemplate:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"{name} is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}")
    env = _environment(locale, html)
    try:
        tree = _guard_loops(env.parse(source, name=name), name)
        code = env.compile(tree, name=name, filename=name)
    except TemplateSyntaxError as error:
        raise TemplateError(f"{name}, line {error.lineno}: {error.message}") from None
    return env.template_class.from_code(env, code, env.make_globals(None))


def _failing_line(error: BaseException, name: str) -> int | None:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == name]
    return frames[-1].lineno if frames else None


def render_part(source: str, name: str, variables: dict[str, Any], locale: str, html: bool) -> str:
    template = _compile(source, name, locale, html)
    token = _iterations.set([0])
    try:
        pieces: list[str] = []
        size = 0
        for piece in template.generate(variables):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError(f"output is longer than {MAX_OUTPUT_CHARS} characters")
            pieces.append(piece)
        return "".join(pieces)
    except TemplateError:
        raise
    except (SecurityError, UndefinedError, TemplateRuntimeError, TemplateSyntaxError) as error:
        kind = "not allowed" if isinstance(error, SecurityError) else "error"
        line = _failing_line(error, name)
        where = f"{name}, line {line}" if line else name
        message = getattr(error, "message", None) or str(error)
        raise TemplateError(f"{where}: {kind}: {message}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError, UnknownLocaleError) as error:
        line = _failing_line(error, name)
        where = f"{name}, line {line}" if line else name
        raise TemplateError(f"{where}: error: {type(error).__name__}: {error}") from None
    finally:
        _iterations.reset(token)
