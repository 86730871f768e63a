"""The restricted policy of diagram code: what cannot be bounded is refused when it compiles.

RestrictedPython's policy plus: no `while` (a regulation iterates over its data with `for`), no
function or class definitions (recursion), no `try` (a script must not catch the engine stopping
it), no `with`, `global`, walrus or computed format widths; and the operators that can allocate
without bound are routed through the size guards of `engine/script_guards.py`.
"""

from __future__ import annotations

import ast
import re

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from engine.limits import StepLimits

_REFUSED: dict[type[ast.AST], str] = {
    ast.While: "циклы while запрещены: перебирайте данные циклом for",
    ast.FunctionDef: "определения функций запрещены (они допускают рекурсию)",
    ast.AsyncFunctionDef: "определения функций запрещены (они допускают рекурсию)",
    ast.Lambda: "lambda запрещена (она допускает рекурсию)",
    ast.ClassDef: "определения классов запрещены",
    ast.Try: "конструкция try запрещена: остановку шага движком нельзя перехватывать",
    ast.With: "конструкция with запрещена",
    ast.Global: "global запрещён",
    ast.Nonlocal: "nonlocal запрещён",
    ast.Yield: "yield запрещён",
    ast.YieldFrom: "yield запрещён",
    ast.NamedExpr: "присваивание := запрещено: присваивайте через =",
}
_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Mod: "%",
}
_GUARDED_CALLS = {"str": "_str_", "repr": "_repr_"}


def _call(helper: str, node: ast.expr, *args: ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Name(helper, ast.Load()), args=list(args), keywords=[])
    copy_locations(call, node)
    return call


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with the engine's static refusals and size guards."""

    def visit(self, node: ast.AST) -> ast.AST | None:
        reason = _REFUSED.get(type(node))
        if reason is not None:
            self.error(node, reason)
            return node
        return super().visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        return _call("_binop_", node, ast.Constant(symbol), node.left, node.right)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        for part in node.values:
            if isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                self._check_format_spec(part.format_spec)
        return _call("_text_", node, self.node_contents_visit(node))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        node.value = _call("_printable_", node.value, node.value)
        return node

    def _check_format_spec(self, spec: ast.expr) -> None:
        parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
        for part in parts:
            if not isinstance(part, ast.Constant):
                self.error(spec, "вычисляемая ширина в формате запрещена")
                continue
            for number in re.findall(r"\d+", str(part.value)):
                if int(number) > StepLimits.format_width:
                    self.error(spec, f"ширина {number} в формате запрещена")

    def visit_List(self, node: ast.List) -> ast.AST:
        return self._starred_display(node)

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        return self._starred_display(node)

    def _starred_display(self, node: ast.List | ast.Tuple) -> ast.AST:
        node = self.node_contents_visit(node)
        unpacks = any(isinstance(element, ast.Starred) for element in node.elts)
        if not unpacks or not isinstance(node.ctx, ast.Load):
            return node
        return _call("_items_", node, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        visited = super().visit_Call(node)
        if isinstance(visited, ast.Call) and isinstance(visited.func, ast.Name):
            helper = _GUARDED_CALLS.get(visited.func.id)
            if helper is not None:
                visited.func = ast.Name(helper, ast.Load())
                copy_locations(visited.func, node)
        return visited  # type: ignore[return-value]
