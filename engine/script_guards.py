"""Run-time guards of diagram code: a value's size is checked before it is built, items counted.

The restricted policy (`engine/script_policy.py`) routes the operators that can allocate without
bound through `guarded_binop`, every loop and comprehension through `guarded_iter`, and attribute
access through `guarded_getattr`, which wraps the string and list methods that allocate.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from RestrictedPython.Guards import safer_getattr

from engine.limits import Budget, RunawayStep, StepLimits, current_budget

TEXT = (str, bytes)
SEQUENCES = (list, tuple)
CONTAINERS = (list, tuple, dict, set, frozenset)
# %-formatting: %[(key)][flags][width][.precision][length]type
PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _limits() -> StepLimits:
    return current_budget().limits


def check_text(length: int) -> None:
    """Refuse a string (or bytes) longer than the limit, before it is built."""
    cap = _limits().text_length
    if length > cap:
        raise RunawayStep(f"a string of {length} characters is longer than {cap}")


def check_items(count: int) -> None:
    """Refuse a list or tuple with more items than the limit, before it is built."""
    cap = _limits().sequence_items
    if count > cap:
        raise RunawayStep(f"a list of {count} items is longer than {cap}")


def check_bits(bits: int) -> None:
    """Refuse an integer wider than the limit, before it is computed."""
    cap = _limits().int_bits
    if bits > cap:
        raise RunawayStep(f"an integer of {bits} bits is wider than {cap}")


def _check_sized(value: Any, length: int) -> None:
    (check_text if isinstance(value, TEXT) else check_items)(length)


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, TEXT) and isinstance(right, TEXT):
        check_text(len(left) + len(right))
    elif isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES):
        check_items(len(left) + len(right))


def _check_mul(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(times, int) and isinstance(sequence, TEXT + SEQUENCES):
            _check_sized(sequence, len(sequence) * max(times, 0))
            return
    if isinstance(left, int) and isinstance(right, int):
        check_bits(left.bit_length() + right.bit_length())


def _check_pow(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        check_bits(base.bit_length() * exponent)


def _check_shift(value: Any, shift: Any) -> None:
    if isinstance(value, int) and isinstance(shift, int) and shift > 0 and value:
        check_bits(value.bit_length() + shift)


def _check_mod(template: Any, values: Any) -> None:
    if not isinstance(template, TEXT):
        return
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    for width, precision in PRINTF_SPEC.findall(text):
        check_format_numbers(f"{width} {precision}")
    check_printable(values)


def check_format_numbers(spec: str) -> None:
    """Refuse a format specification whose width or precision is computed or too large."""
    if "*" in spec:
        raise RunawayStep("a computed width (*) in a format is not allowed")
    cap = _limits().format_width
    for number in re.findall(r"\d+", spec):
        if int(number) > cap:
            raise RunawayStep(f"a format width of {number} is wider than {cap}")


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "%": operator.mod,
}
_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "+": _check_add,
    "*": _check_mul,
    "**": _check_pow,
    "<<": _check_shift,
    "%": _check_mod,
}
_IN_PLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "//=": operator.ifloordiv,
    "@=": operator.imatmul,
}


def guarded_binop(symbol: str, left: Any, right: Any) -> Any:
    """`left <symbol> right` for the operators that can allocate, size checked first."""
    _CHECKS[symbol](left, right)
    return checked_text(_OPERATORS[symbol](left, right))


def guarded_inplace(symbol: str, target: Any, value: Any) -> Any:
    """`target <symbol> value` (RestrictedPython's `_inplacevar_`), size checked first."""
    check = _CHECKS.get(symbol.removesuffix("="))
    if check is not None:
        check(target, value)
    return checked_text(_IN_PLACE[symbol](target, value))


def checked_text(value: Any) -> Any:
    """A computed value, refused when it is a string longer than the limit."""
    if isinstance(value, TEXT):
        check_text(len(value))
    return value


def checked_items(value: Any) -> Any:
    """A list or tuple display with unpacking (`[*a, *a]`), refused when too long."""
    if isinstance(value, SEQUENCES):
        check_items(len(value))
    return value


def guarded_iter(iterable: Any) -> Iterator[Any]:
    """Every loop and comprehension: each item is counted against the evaluation's budget."""
    return _counted(iter(iterable), current_budget())


def _counted(iterator: Iterator[Any], budget: Budget) -> Iterator[Any]:
    for item in iterator:
        budget.charge()
        yield item


def capped_range(*args: int) -> range:
    """`range` of at most `StepLimits.range_items` items."""
    items = range(*args)
    cap = _limits().range_items
    try:
        length = len(items)
    except OverflowError:
        length = cap + 1
    if length > cap:
        raise RunawayStep(f"range() of {length} items: at most {cap}")
    return items


def guarded_pow(base: Any, exponent: Any, modulo: Any = None) -> Any:
    """`pow` with the integer width checked (a modulo keeps the result small)."""
    if modulo is None:
        _check_pow(base, exponent)
        return pow(base, exponent)
    return pow(base, exponent, modulo)


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    """`round`; a large negative `ndigits` on an integer would compute a huge power of ten."""
    if isinstance(ndigits, int) and ndigits < 0:
        check_bits(-ndigits * 4)
    return round(number, ndigits)


def guarded_sum(iterable: Iterable[Any], start: Any = 0) -> Any:
    """`sum` of numbers only: adding lists would copy quadratically in one call."""
    if not isinstance(start, int | float | complex):
        raise TypeError("sum() adds numbers only here; join lists with +")
    return sum(iterable, start)


def _width_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: Any, *args: Any) -> Any:
        if isinstance(width, int):
            check_text(width)
        return method(width, *args)

    return guarded


def _expandtabs_guard(text: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(tabsize: int = 8) -> Any:
        tab = b"\t" if isinstance(text, bytes) else "\t"
        check_text(len(text) + text.count(tab) * max(tabsize, 0))
        return method(tabsize)

    return guarded


def _replace_guard(text: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(old: Any, new: Any, count: int = -1) -> Any:
        found = len(text) + 1 if not old else text.count(old)
        if count >= 0:
            found = min(found, count)
        check_text(len(text) + found * max(len(new) - len(old), 0))
        return method(old, new, count)

    return guarded


def _join_guard(separator: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(parts: Iterable[Any]) -> Any:
        items = list(parts)
        check_items(len(items))
        lengths = sum(len(part) for part in items if isinstance(part, TEXT))
        check_text(lengths + len(separator) * max(len(items) - 1, 0))
        return method(items)

    return guarded


def _translate_guard(text: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(table: Any) -> Any:
        if isinstance(table, dict):
            widest = max((len(v) for v in table.values() if isinstance(v, TEXT)), default=1)
            check_text(len(text) * widest)
        return method(table)

    return guarded


def _extend_guard(items: list[Any], method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(more: Iterable[Any]) -> Any:
        added = more if isinstance(more, SEQUENCES) else list(more)
        check_items(len(items) + len(added))
        return method(added)

    return guarded


def _grow_guard(items: list[Any], method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        check_items(len(items) + 1)
        return method(*args)

    return guarded


_TEXT_METHODS: dict[str, Callable[[Any, Callable[..., Any]], Callable[..., Any]]] = {
    "ljust": lambda _text, method: _width_guard(method),
    "rjust": lambda _text, method: _width_guard(method),
    "center": lambda _text, method: _width_guard(method),
    "zfill": lambda _text, method: _width_guard(method),
    "expandtabs": _expandtabs_guard,
    "replace": _replace_guard,
    "join": _join_guard,
    "translate": _translate_guard,
}
_LIST_METHODS: dict[str, Callable[[Any, Callable[..., Any]], Callable[..., Any]]] = {
    "extend": _extend_guard,
    "append": _grow_guard,
    "insert": _grow_guard,
}


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """RestrictedPython's safe getattr, with the allocating methods of str, bytes, list wrapped."""
    value = safer_getattr(obj, name, *default)
    if obj in (str, bytes, list) and name in _TEXT_METHODS.keys() | _LIST_METHODS.keys():
        raise AttributeError(f"call {name}() on a value, not on {obj.__name__}")
    if isinstance(obj, TEXT) and name in _TEXT_METHODS:
        return _TEXT_METHODS[name](obj, value)
    if isinstance(obj, list) and name in _LIST_METHODS:
        return _LIST_METHODS[name](obj, value)
    return value


def check_printable(value: Any) -> Any:
    """Refuse to render data whose text would be too large (shared values repeat in it)."""
    if isinstance(value, CONTAINERS):
        check_data(value)
    return value


def guarded_str(*args: Any, **kwargs: Any) -> str:
    """`str(x)`, refused when the text of `x` would be too large."""
    if args:
        check_printable(args[0])
    return checked_text(str(*args, **kwargs))


def guarded_repr(value: Any) -> str:
    """`repr(x)`, refused when the text of `x` would be too large."""
    return checked_text(repr(check_printable(value)))


def check_data(value: Any) -> None:
    """Refuse data whose text (every shared value counted each time) or nesting is too large."""
    limits = _limits()
    _Measure(limits, current_budget()).size(value, 0)


class _Measure:
    """The expanded size of nested data, each shared container measured once (memoised)."""

    def __init__(self, limits: StepLimits, budget: Budget) -> None:
        self.limits = limits
        self.budget = budget
        self.known: dict[int, tuple[int, int]] = {}  # id → (size, height)

    def size(self, value: Any, depth: int) -> tuple[int, int]:
        if not isinstance(value, CONTAINERS):
            return (len(value) if isinstance(value, TEXT) else 1) + 1, 0
        known = self.known.get(id(value))
        if known is not None:
            self._check(known[0], depth + known[1])
            return known
        self._check(0, depth)
        self.budget.check()
        members = chain(value.keys(), value.values()) if isinstance(value, dict) else value
        total, height = 2, 0
        for member in members:
            size, below = self.size(member, depth + 1)
            total += size
            height = max(height, below + 1)
            self._check(total, depth + height)
        self.known[id(value)] = (total, height)
        return total, height

    def _check(self, size: int, depth: int) -> None:
        if depth > self.limits.data_depth:
            raise RunawayStep(f"data nested deeper than {self.limits.data_depth} levels")
        if size > self.limits.data_size:
            raise RunawayStep(
                f"data of more than {self.limits.data_size} characters as text "
                "(a value shared many times counts each time)"
            )


GUARDED_BUILTINS: dict[str, Any] = {
    "range": capped_range,
    "pow": guarded_pow,
    "round": guarded_round,
    "sum": guarded_sum,
}
GUARD_GLOBALS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getiter_": guarded_iter,
    "_inplacevar_": guarded_inplace,
    "_binop_": guarded_binop,
    "_text_": checked_text,
    "_items_": checked_items,
    "_printable_": check_printable,
    "_str_": guarded_str,
    "_repr_": guarded_repr,
}
