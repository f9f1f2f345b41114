from __future__ import annotations

import pytest

from wardflow.graphs.expressions import ExpressionError, compile_condition


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("confidence < 0.9", {"confidence": 0.85}, True),
        ("confidence < 0.9", {"confidence": 0.95}, False),
        ("0.5 <= risk < 0.9", {"risk": 0.7}, True),
        ('currency == "EUR" and total > 10000', {"currency": "EUR", "total": 12000}, True),
        ('not known_vendor or currency in ["USD", "GBP"]',
         {"known_vendor": True, "currency": "GBP"}, True),
        ("flagged == true", {"flagged": False}, False),
        ("-total > -5", {"total": 3}, True),
        ("vendor != null", {"vendor": "Acme"}, True),
    ],
)
def test_evaluates(source: str, values: dict[str, object], expected: bool) -> None:
    assert compile_condition(source).evaluate(values) is expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os').system('id')", "a call is not allowed"),
        ("confidence.__class__", "attribute access is not allowed"),
        ("values[0] > 1", "indexing is not allowed"),
        ("[x for x in y]", "ListComp is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("a if b else c", "IfExp is not allowed"),
        ("confidence <", "syntax error"),
        ("a is b", "operator Is is not allowed"),
        ("total + 1 > 2", "BinOp is not allowed"),
        ("x" * 600, "longer than 500"),
    ],
)
def test_rejects_everything_else(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_condition(source)


def test_missing_names_and_type_errors_are_errors_not_false() -> None:
    condition = compile_condition("confidence < 0.9 and risk > 0.1")
    assert condition.names == {"confidence", "risk"}
    with pytest.raises(ExpressionError, match="no value for risk"):
        condition.evaluate({"confidence": 0.5})
    with pytest.raises(ExpressionError, match="cannot compare"):
        compile_condition("total > 5").evaluate({"total": "many"})


def test_column_of_the_offending_part() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_condition("confidence < 0.9 and open('x')")
    assert caught.value.column == 22
