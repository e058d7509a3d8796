"""A Jinja2 sandbox bounded in time and memory while it renders, for draft templates.

Draft templates may come with a shared vault, so a template is hostile input. Jinja2's
own sandbox stops code and file access, not work: ``'x' | center(10**9)``, a string
doubled forty times, three nested loops over a long string or a macro that calls itself
twice per level would build gigabytes or run for hours, and a size check after
rendering comes too late. Here every unit of work is counted as it happens:

- **steps**: each call (functions, methods, macros, filters) and each loop iteration
  (every ``for`` iterable is wrapped when the template compiles) counts one, with a
  wall-clock deadline as a backstop;
- **values**: a string or list a call, a filter, ``+``, ``~``, ``*`` or ``%`` would
  build is estimated first (length times what it repeats), and anything over
  ``MAX_VALUE`` is refused before it exists;
- **text produced**: every ``{{ }}`` and every piece of literal text, also inside
  macros and ``{% set %}`` blocks, counts against ``MAX_PRODUCED``.

Breaking a limit raises :class:`TemplateTooCostly`, which the caller turns into one line.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_STEPS = 1_000_000  # calls and loop iterations; a real draft takes a few hundred
MAX_SECONDS = 5.0
MAX_VALUE = 2_000_000  # characters (and items) of one string or list a template builds
MAX_PRODUCED = 4_000_000  # characters of text produced by one rendering, captured or not
MAX_REPEAT = 10_000
_LOOP_FILTER = "mdnet loop"  # a space: no template can name it
_BIG_NUMBER_RE = re.compile(r"\d{7,}|[2-9]\d{5}")  # a width or precision over 199,999 in a format


class TemplateTooCostly(SecurityError):
    """The template broke a limit on its work, its values or its output."""


class _Budget:
    """What one rendering may still spend."""

    __slots__ = ("deadline", "next_clock", "produced", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.produced = 0
        self.next_clock = 1024
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise TemplateTooCostly(f"it runs too long (over {MAX_STEPS:,} loop turns and calls)")
        if self.steps >= self.next_clock:
            self.next_clock = self.steps + 1024
            if time.monotonic() > self.deadline:
                raise TemplateTooCostly(f"it runs too long (over {MAX_SECONDS:g} seconds)")

    def weigh(self, value: Any) -> int:
        """:func:`weight`, its walk paid for in steps (a long list measured on every call adds up)."""
        if isinstance(value, str):
            return len(value) + 1
        size = weight(value)
        self.step(size // 16)
        return size

    def produce(self, chars: int) -> None:
        self.produced += chars
        if self.produced > MAX_PRODUCED:
            raise TemplateTooCostly(f"it produces too much text (over {MAX_PRODUCED:,} characters)")


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """Characters and items in ``value``, counting shared parts each time they appear;
    stops counting past ``limit`` (so it costs at most ``limit`` steps)."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 1
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            stack.extend(item)
        else:
            total += 1
    return total


def _check_value(budget: _Budget, value: Any, what: str) -> Any:
    if budget.weigh(value) > MAX_VALUE:
        raise TemplateTooCostly(f"{what} would be too large (over {MAX_VALUE:,} characters or items)")
    return value


def _check_arguments(budget: _Budget, receiver: Any, args: Iterable[Any], kwargs: dict[str, Any], what: str) -> None:
    """Refuse a call whose result could be huge: a number over MAX_VALUE (``center(10**9)``),
    a format with such a width, or text times text (``replace('', long)``, ``indent(long)``)."""
    values = [*args, *kwargs.values()]
    texts = 0
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
            raise TemplateTooCostly(f"{what}: the number {value:,} is too large")
        texts += budget.weigh(value)
    if isinstance(receiver, str) and _BIG_NUMBER_RE.search(receiver) and ("%" in receiver or "{" in receiver):
        raise TemplateTooCostly(f"{what}: a width in the format is too large")
    base = budget.weigh(receiver)
    if base * (1 + texts) + texts > MAX_VALUE and (base > 1_000 or texts > 1_000):
        raise TemplateTooCostly(f"{what} would be too large (over {MAX_VALUE:,} characters or items)")


class _Generator(CodeGenerator):
    """Jinja's code generator with three hooks: loop iterables wrapped to count each turn,
    ``~`` built by the sandbox (which measures it), literal text counted as produced."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.mdnet_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        literal = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if literal:
            self.writeline(f"environment.mdnet_produce({literal})")
        super().visit_Output(node, frame)


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, stricter: unsafe attribute access fails (it would render empty),
    and every call, loop, value and output counts against the limits above."""

    code_generator_class = _Generator
    intercepted_binops = frozenset(("*", "**", "+", "%"))

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_finalize, **options)
        self.budget = _Budget()
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}
        self.filters[_LOOP_FILTER] = _count_turns

    def new_budget(self) -> None:
        """Start a rendering: a fresh allowance of steps, time and text."""
        self.budget = _Budget()

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.budget.step()
        receiver = getattr(__obj, "__self__", None)
        if isinstance(receiver, str):  # str methods build text (center, replace, join, format ...)
            _check_arguments(__self.budget, receiver, args, kwargs, f"the method {getattr(__obj, '__name__', '')!r}")
        return _check_value(__self.budget, super().call(__context, __obj, *args, **kwargs), "a call's result")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.step()
        if operator == "**" and (not isinstance(right, int | float) or abs(right) > 100):
            raise SecurityError("exponent too large")
        if operator == "*":
            for count, other in ((left, right), (right, left)):
                if isinstance(count, int) and isinstance(other, str | list | tuple) and count * len(other) > MAX_REPEAT:
                    raise SecurityError("repetition too large")
                shared = isinstance(count, int) and count > 0 and isinstance(other, list | tuple)
                if shared and self.budget.weigh(other) * count > MAX_VALUE:  # its items, count times over
                    raise TemplateTooCostly("a repeated list would be too large")
        if operator == "+" and self.budget.weigh(left) + self.budget.weigh(right) > MAX_VALUE:
            raise TemplateTooCostly(f"'+' would be too large (over {MAX_VALUE:,} characters or items)")
        if operator == "%" and isinstance(left, str):
            _check_arguments(self.budget, left, [right], {}, "'%'")
        return super().call_binop(context, operator, left, right)

    def mdnet_concat(self, values: tuple[Any, ...]) -> str:
        """``a ~ b``: measured before it is joined."""
        self.budget.step()
        if sum(self.budget.weigh(value) for value in values) > MAX_VALUE:
            raise TemplateTooCostly(f"'~' would be too large (over {MAX_VALUE:,} characters)")
        return "".join(map(str, values))

    def mdnet_produce(self, chars: int) -> None:
        self.budget.step()
        self.budget.produce(chars)


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Every ``{{ value }}``, measured before it becomes text, and counted as produced."""
    environment = context.environment
    assert isinstance(environment, BoundedSandbox)
    size = environment.budget.weigh(value)
    if size > MAX_VALUE:
        raise TemplateTooCostly(f"a value would be too large to print (over {MAX_VALUE:,} characters or items)")
    environment.budget.step()
    environment.budget.produce(size)
    return value


@pass_context
def _count_turns(context: Context, iterable: Any) -> Iterator[Any]:
    """A ``for`` loop's iterable, one step per turn."""
    environment = context.environment
    assert isinstance(environment, BoundedSandbox)
    for item in iterable:
        environment.budget.step()
        yield item


def _bounded_filter(name: str, function: Any) -> Any:
    """``function`` with its arguments checked first and its result measured after."""
    pass_arg = next((attr for attr in ("jinja_pass_arg",) if hasattr(function, attr)), None)

    def bounded(*args: Any, **kwargs: Any) -> Any:
        skip = 1 if pass_arg is not None else 0  # the context, eval context or environment
        environment = args[0] if skip and isinstance(args[0], BoundedSandbox) else None
        if skip and environment is None:
            environment = getattr(args[0], "environment", None)
        # a constant filter folded while the template compiles has no environment: a budget of its own
        budget = environment.budget if isinstance(environment, BoundedSandbox) else _Budget()
        budget.step()
        value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
        _check_arguments(budget, value, rest, kwargs, f"the filter {name!r}")
        return _check_value(budget, function(*args, **kwargs), f"the filter {name!r}")

    bounded.__name__ = getattr(function, "__name__", name)
    if pass_arg is not None:
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded
