"""`expect_linked`: a case started by a repeat after the earlier case closed, and its link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.linked import LINKED_CASE, REPORT_MEASURES
from engine.models import ProcessInstance
from engine.scenarios.case_data import case_data
from engine.scenarios.readable import listing, shown
from engine.scenarios.registry import expectation, fail
from engine.scenarios.shapes import Shape, ShapeError, count, flag, text

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run


def _case_number(value: Any) -> int:
    """A case as the scenario started them: 1 is the first; 0 means «none»."""
    return count(value)


def _names(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ShapeError(f"expected a list of department ids, got {shown(value)}")
    return [text(item) for item in value]


LINKED = Shape(
    {
        "case": _case_number,
        "earlier": _case_number,
        "later": _case_number,
        "departments": _names,
        "report_measures": flag,
    },
    shorthand="earlier",
)


@expectation("expect_linked", LINKED)
def _expect_linked(run: _Run, spec: dict[str, Any]) -> None:
    """The case (`case`, default the one the steps follow) is linked as expected."""
    number = spec.get("case") or run.instance_id
    with run.sessions() as session:
        instance = session.get(ProcessInstance, number)
        if instance is None:
            fail(f"there is no case {number}")
        later = list(
            session.scalars(
                select(ProcessInstance.id).where(ProcessInstance.linked_to_id == number)
            )
        )
    earlier = instance.linked_to_id or 0
    if "earlier" in spec and earlier != spec["earlier"]:
        fail(f"case {number} is linked to {earlier or 'no case'}, not {spec['earlier'] or 'none'}")
    wanted = spec.get("later")
    if wanted is not None and (wanted not in later if wanted else bool(later)):
        fail(f"case {number} is continued by {listing([str(i) for i in later])}")
    data = case_data(run.workflow(number))
    linked = data.get(LINKED_CASE) or {}
    if "departments" in spec and sorted(linked.get("departments") or []) != sorted(
        spec["departments"]
    ):
        fail(f"case {number} carries departments {shown(linked.get('departments'))}")
    if "report_measures" in spec and bool(data.get(REPORT_MEASURES)) != spec["report_measures"]:
        fail(f"case {number} has report_measures {shown(data.get(REPORT_MEASURES))}")
