"""A run's outcome as plain data and as text: violations, time in step, utilisation, hours."""

from __future__ import annotations

from typing import Any

from engine.reports.model import Table
from engine.simulation.run import RunResult

TOTAL = "Итого"


def summarize(result: RunResult) -> dict[str, Any]:
    """The figures of one run (what `--json` writes and the tests compare)."""
    report = result.report
    return {
        "version": result.label,
        "messages": result.messages,
        "cases": _value(report.table("received"), (TOTAL, ""), "получено") or 0,
        "refused": len(result.refused),
        "failed_cases": result.failed,
        "violations_by_clause": _column(report.table("by_clause"), "с нарушением"),
        "in_time_by_clause": _column(report.table("by_clause"), "в срок"),
        "violations_by_department": _column(report.table("by_department"), "с нарушением"),
        "still_running_by_clause": _column(report.table("by_clause"), "ещё идут"),
        "time_in_step": {
            labels[0]: {
                name: cell.value
                for name, cell in zip(report.table("step_time").columns, cells, strict=True)
            }
            for labels, cells in report.table("step_time").rows
        },
        "utilisation": {
            _pool_name(key): round(pool.busy_minutes / (pool.people * result.available_minutes), 3)
            if result.available_minutes
            else None
            for key, pool in sorted(result.pools.items(), key=lambda item: str(item[0]))
        },
        "busiest_hours": [
            {"hour": hour, "messages": count}
            for hour, count in sorted(result.arrivals_by_hour.items(), key=lambda i: (-i[1], i[0]))[
                :3
            ]
        ],
    }


def _column(table: Table, column: str) -> dict[str, Any]:
    index = table.columns.index(column)
    return {labels[0]: cells[index].value for labels, cells in table.rows}


def _value(table: Table, labels: tuple[str, ...], column: str) -> Any:
    try:
        return table.cell(labels, column).value
    except KeyError:
        return None


def _pool_name(key: tuple[str | None, str | None]) -> str:
    role, department = key
    return f"{role or 'без роли'}/{department}" if department else (role or "без роли")


def render(runs: list[dict[str, Any]]) -> str:
    """One run, or two side by side (`--compare`), as aligned text."""
    labels = [run["version"] for run in runs]
    lines = [f"Версии: {' | '.join(labels)}", ""]
    lines += _section(
        "Сообщений", runs, lambda run: {"всего": run["messages"], "обращений": run["cases"]}
    )
    lines += _section("Нарушения по пунктам", runs, lambda run: run["violations_by_clause"])
    lines += _section(
        "Нарушения по подразделениям", runs, lambda run: run["violations_by_department"]
    )
    lines += _section(
        "Время на шаге (медиана, в единице срока)",
        runs,
        lambda run: {
            step: f"{v['медиана']} {v['единица']}" for step, v in run["time_in_step"].items()
        },
    )
    lines += _section("Загрузка (доля рабочего времени)", runs, lambda run: run["utilisation"])
    lines += _section(
        "Самые загруженные часы (поступления)",
        runs,
        lambda run: {f"{item['hour']:02d}:00": item["messages"] for item in run["busiest_hours"]},
    )
    return "\n".join(lines)


def _section(title: str, runs: list[dict[str, Any]], pick: Any) -> list[str]:
    values = [pick(run) for run in runs]
    keys = sorted({key for value in values for key in value}, key=lambda k: (k == TOTAL, str(k)))
    width = max([len(str(key)) for key in keys] + [10])
    out = [title]
    for key in keys:
        cells = "  ".join(str(value.get(key, "—")).rjust(12) for value in values)
        out.append(f"  {str(key).ljust(width)}  {cells}")
    return [*out, ""]
