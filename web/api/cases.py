"""GET /api/cases/<id> and GET /api/violations: what an integration may read of its town."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import func, select

from engine.models import OpenUserTask, ProcessInstance, ProcessVersion, Publication
from engine.models import Violation as ViolationRow
from engine.publishing.outbox import latest_publication
from engine.queries.cases import case_card, element_name
from web import db
from web.api.auth import current, require_token
from web.api.problems import problem
from web.api.schemas import CaseSchema, ProblemSchema, ViolationPageSchema, ViolationQuerySchema

blp = Blueprint("Cases", __name__, url_prefix="/api", description="Cases and violations")
blp.before_request(require_token)


@blp.route("/cases/<id:case_id>")
@blp.response(200, CaseSchema)
@blp.alt_response(401, schema=ProblemSchema, description="No live token")
@blp.alt_response(404, schema=ProblemSchema, description="No such case in the token's town")
def case(case_id: int) -> Any:
    """Status, current steps, deadlines, violations and the published answer of a case."""
    try:
        card = case_card(db.session(), db.runtime(), current().viewer, case_id)
    except LookupError:  # NotFound too: another town's case is not found either
        return problem(404, "Нет такого дела в муниципалитете токена.")
    instance, message = card.instance, card.message
    return {
        "id": instance.id,
        "municipality": instance.municipality,
        "status": instance.status.value,
        "started_at": instance.started_at,
        "completed_at": instance.completed_at,
        "message": message,
        "current_steps": [_step(row.task) for row in card.open_tasks],
        "deadlines": [{**vars(item), "state": item.state.value} for item in card.deadlines],
        "violations": [
            {**vars(item), "case_id": instance.id, "step_name": item.element_name}
            for item in card.violations
        ],
        "answer": {
            "text": card.answer.text or None,
            "published_url": card.answer.published_url,
            "published_at": card.answer.published_at,
            "publication": _publication(latest_publication(db.session(), case_id)),
        },
    }


def _step(task: OpenUserTask) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "element_id": task.element_id,
        "name": task.name,
        "role": task.role,
        "department": task.department,
        "assignee": task.assignee,
        "due_at": task.due_at,
    }


def _publication(row: Publication | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "status": row.status.value,
        "channel": row.channel,
        "url": row.url,
        "external_id": row.external_id,
        "next_attempt_at": row.next_attempt_at,
        "error": row.last_error,
    }


@blp.route("/violations")
@blp.arguments(ViolationQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, ViolationPageSchema)
@blp.alt_response(401, schema=ProblemSchema, description="No live token")
@blp.alt_response(422, schema=ProblemSchema, description="A filter is wrong")
def violations(page: int, per_page: int, **filters: Any) -> Any:
    """Violations of the token's municipality, newest first, filtered and paged."""
    query = select(ViolationRow).where(ViolationRow.municipality == current().municipality)
    columns = {
        "case_id": ViolationRow.instance_id,
        "element_id": ViolationRow.element_id,
        "department": ViolationRow.responsible_department,
    }
    for name, column in columns.items():
        if filters.get(name) is not None:
            query = query.where(column == filters[name])
    if filters.get("since") is not None:
        query = query.where(ViolationRow.recorded_at >= filters["since"])
    if filters.get("until") is not None:
        query = query.where(ViolationRow.recorded_at < filters["until"])
    session = db.session()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ViolationRow.recorded_at.desc(), ViolationRow.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return {
        "items": [_violation(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def _violation(row: ViolationRow) -> dict[str, Any]:
    catalog = _catalog(row.instance_id)
    return {
        "id": row.id,
        "case_id": row.instance_id,
        "element_id": row.element_id,
        "step_name": element_name(catalog, row.element_id),
        "clause": row.clause,
        "due_at": row.due_at,
        "recorded_at": row.recorded_at,
        "responsible_role": row.responsible_role,
        "responsible_department": row.responsible_department,
        "responsible_user": row.responsible_user,
    }


def _catalog(instance_id: int) -> dict[str, Any]:
    session = db.session()
    version_id = session.scalar(
        select(ProcessInstance.version_id).where(ProcessInstance.id == instance_id)
    )
    version = session.get_one(ProcessVersion, version_id)
    return version.catalog
