"""The folder rules of engine/ hold: no web, no adapters, no Flask, no wall clock."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
FORBIDDEN_IMPORTS = ("web", "adapters", "flask")


def _engine_modules() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_imports_neither_web_nor_adapters() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(_imported_roots(path) & set(FORBIDDEN_IMPORTS))
        for path in _engine_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


WALL_CLOCK = ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today(")
CPU_CLOCK = ("time.monotonic(", "time.perf_counter(", "time.process_time(", "monotonic_ns(")


def _reading(needles: tuple[str, ...]) -> set[str]:
    return {
        str(path.relative_to(ENGINE))
        for path in _engine_modules()
        if any(needle in path.read_text(encoding="utf-8") for needle in needles)
    }


def test_engine_never_reads_the_wall_clock() -> None:
    assert _reading(WALL_CLOCK) <= {"clock.py"}


def test_only_the_step_budget_reads_a_monotonic_clock() -> None:
    # limits.py measures how long a step computes; that is never the business time.
    readers = _reading(CPU_CLOCK)
    assert "limits.py" in readers and readers <= {"clock.py", "limits.py"}
    assert _reading(WALL_CLOCK) & {"limits.py"} == set()


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from web import views\nimport flask\n", encoding="utf-8")
    assert _imported_roots(bad) & set(FORBIDDEN_IMPORTS) == {"web", "flask"}
