"""A migration over many cases: each in its own transaction under its row lock."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.versioning.listing import version_by_label
from engine.versioning.migration import CaseVerdict, MigrationPlan, migrate_case


class MappingError(ValueError):
    """A mapping file that is not a mapping of element ids."""


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: JSON or YAML `{old element id: new element id}`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(f"{path}: не читается: {error}") from None
    if not text.strip():
        raise MappingError(f"{path}: файл пуст; нужен словарь «старый id элемента: новый id»")
    return parse_mapping(text, str(path))


def parse_mapping(text: str, source: str = "соответствие шагов") -> dict[str, str]:
    """A mapping's text (YAML or JSON; empty is no mapping), or MappingError in Russian."""
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as error:
        raise MappingError(f"{source}: не читается как YAML или JSON: {error}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        raise MappingError(f"{source}: нужен словарь «старый id элемента: новый id элемента»")
    return dict(raw)


def plan_for(
    session: Session,
    municipality: str,
    old_label: str,
    new_label: str,
    mapping: dict[str, str] | None = None,
    *,
    recompute: bool = False,
) -> MigrationPlan:
    """The plan between two labelled versions of a municipality."""
    old = version_by_label(session, municipality, old_label)
    new = version_by_label(session, municipality, new_label)
    return MigrationPlan(old, new, dict(mapping or {}), recompute)


def mapping_problems(plan: MigrationPlan) -> list[str]:
    """Ids of a mapping that name no element of their version, in Russian."""
    old, new = plan.old.catalog["elements"], plan.new.catalog["elements"]
    problems = []
    for old_id, new_id in plan.mapping.items():
        if old_id not in old:
            problems.append(f"в версии «{plan.old.label}» нет элемента «{old_id}»")
        if new_id not in new:
            problems.append(f"в версии «{plan.new.label}» нет элемента «{new_id}»")
    return problems


def cases_to_migrate(session: Session, plan: MigrationPlan) -> list[int]:
    """Running cases of the plan's old version, oldest first."""
    return list(
        session.scalars(
            select(ProcessInstance.id)
            .where(
                ProcessInstance.version_id == plan.old.id,
                ProcessInstance.status == InstanceStatus.RUNNING,
            )
            .order_by(ProcessInstance.id)
        )
    )


def migrate_batch(
    factory: sessionmaker[Session],
    runtime: Runtime,
    plan: MigrationPlan,
    case_ids: Sequence[int],
    actor: str,
    *,
    dry_run: bool,
    progress: Callable[[CaseVerdict], None] | None = None,
) -> list[CaseVerdict]:
    """Migrate each case in its own transaction; a dry run does the same and rolls it back."""
    verdicts = []
    for instance_id in case_ids:
        with factory() as session:
            transaction = session.begin()
            try:
                verdict = migrate_case(session, runtime, instance_id, plan, actor)
            except Exception as error:  # one broken case stops neither the batch nor the others
                transaction.rollback()
                verdict = CaseVerdict(instance_id, False, f"ошибка при переносе: {error}")
            except BaseException:
                transaction.rollback()
                raise
            else:
                if dry_run or not verdict.can or verdict.already:
                    transaction.rollback()
                else:
                    transaction.commit()
        verdicts.append(verdict)
        if progress is not None:
            progress(verdict)
    return verdicts


def report_json(verdicts: list[CaseVerdict], plan: MigrationPlan, dry_run: bool) -> str:
    """The batch's verdicts as JSON."""
    body: dict[str, Any] = {
        "municipality": plan.old.municipality,
        "from": plan.old.label,
        "to": plan.new.label,
        "dry_run": dry_run,
        "deadlines": "recomputed" if plan.recompute else "kept",
        "cases": [verdict.as_json() for verdict in verdicts],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)
