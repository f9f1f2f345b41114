"""A small, safe expression language for blueprint conditions (``required_if``).

``confidence < 0.9 and (currency == "EUR" or not known_vendor)``

Supported: numbers, strings, ``true``/``false``/``null`` (and Python's spellings),
names of step outputs, comparisons (``== != < <= > >= in not in``, chained), ``and``,
``or``, ``not``, unary minus, and lists of literals for ``in``. Nothing else: no
attribute access, no indexing, no calls, no comprehensions, no ``eval``. The text is
parsed with :mod:`ast` and the tree is walked by this module, node by node; anything
outside the list above is an :class:`ExpressionError` naming the column.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wardflow.errors import WardflowError

__all__ = ["Condition", "ExpressionError", "compile_condition"]

_MAX_LENGTH = 500
_MAX_DEPTH = 32
_LITERAL_NAMES = {"true": True, "false": False, "null": None, "True": True, "False": False,
                  "None": None}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


class ExpressionError(WardflowError):
    """An expression that is not in the language, or cannot be evaluated.

    Attributes:
        column: 1-based column of the offending part, when known.
    """

    def __init__(self, expression: str, detail: str, *, column: int | None = None) -> None:
        self.expression = expression
        self.column = column
        where = f" at column {column}" if column else ""
        super().__init__(f"{detail}{where} in {expression!r}")


@dataclass(frozen=True)
class Condition:
    """A validated expression; call :meth:`evaluate` with the step outputs."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        """The condition's truth for ``values``; a missing name is an error, not False."""
        missing = sorted(self.names - set(values))
        if missing:
            raise ExpressionError(self.source, f"no value for {', '.join(missing)}")
        return bool(_eval(self.tree.body, values, self.source))


def compile_condition(source: str) -> Condition:
    """Parse and check ``source``; raise :class:`ExpressionError` if it is not allowed."""
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(source[:40] + "...", f"longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(source, f"syntax error: {err.msg}", column=err.offset) from err
    names: set[str] = set()
    _check(tree.body, source, names, 0)
    return Condition(source, tree, frozenset(names))


def _check(node: ast.AST, source: str, names: set[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise ExpressionError(source, "nested too deeply")
    column = getattr(node, "col_offset", -1) + 1 or None
    if isinstance(node, ast.BoolOp) and isinstance(node.op, (ast.And, ast.Or)):
        children: list[ast.AST] = list(node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        children = [node.operand]
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(source, f"operator {type(op).__name__} is not allowed",
                                      column=column)
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.Name):
        if node.id not in _LITERAL_NAMES:
            names.add(node.id)
        return
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str, bool)) and node.value is not None:
            raise ExpressionError(source, "only numbers and strings are literals", column=column)
        return
    elif isinstance(node, (ast.List, ast.Tuple)):
        children = list(node.elts)
    else:
        kind = {ast.Attribute: "attribute access", ast.Call: "a call",
                ast.Subscript: "indexing"}.get(type(node), type(node).__name__)
        raise ExpressionError(source, f"{kind} is not allowed", column=column)
    for child in children:
        _check(child, source, names, depth + 1)


def _eval(node: ast.AST, values: Mapping[str, Any], source: str) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, values, source) for v in node.values)
        return any(_eval(v, values, source) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, source)
        if isinstance(node.op, ast.Not):
            return not operand
        _number(operand, source)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, source)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, values, source)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as err:
                raise ExpressionError(source, f"cannot compare {left!r} with {right!r}") from err
            left = right
        return True
    if isinstance(node, ast.Name):
        return _LITERAL_NAMES[node.id] if node.id in _LITERAL_NAMES else values[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, values, source) for e in node.elts]
    raise ExpressionError(source, f"{type(node).__name__} is not allowed")  # checked already


def _number(value: Any, source: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(source, f"{value!r} is not a number")
