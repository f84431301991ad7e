"""A rate's formula as written in checklists/tables/rates.yaml: named counts, + − × ÷ and
brackets, nothing else (parsed with `ast`, never `eval`)."""

from __future__ import annotations

import ast
from collections.abc import Mapping

_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)
_NODES = (ast.Expression, ast.BinOp, ast.Name, ast.Load, ast.Constant, ast.UnaryOp)


class FormulaError(Exception):
    """A formula that uses anything but counts, numbers and + − × ÷."""


def names(formula: str) -> set[str]:
    """The counts a formula reads."""
    tree = _parse(formula)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise FormulaError(f"公式“{formula}”写法不对") from None
    for node in ast.walk(tree):
        ok = isinstance(node, (*_NODES, *_OPS))
        if not ok or (isinstance(node, ast.Constant) and not isinstance(node.value, int | float)):
            raise FormulaError(f"公式“{formula}”只能用计数、数字、加减乘除和括号")
    return tree


def evaluate(formula: str, counts: Mapping[str, float]) -> float | None:
    """The formula's value; None when it divides by zero (nothing to count)."""
    tree = _parse(formula)

    def walk(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in counts:
                raise FormulaError(f"公式“{formula}”中的“{node.id}”不是已知的计数")
            return float(counts[node.id])
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return None if inner is None else -inner
        assert isinstance(node, ast.BinOp)
        left, right = walk(node.left), walk(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return None if right == 0 else left / right

    return walk(tree)
