"""Draft versions: opened from a version folder, saved by revision, deployed through the checks."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.drafts.merge import merge_xml
from engine.forms import FORMS_FILE
from engine.models import ProcessVersion, VersionDraft
from engine.regulation.table import TABLE_FILE
from engine.runtime import Runtime
from engine.scenarios.loader import SCENARIO_SUFFIX
from engine.selftest import SelfTest, TestedDeployment, deploy_version, self_test
from engine.versions import VersionFiles
from engine.worktime.loader import SETTINGS_FILE


class DraftError(ValueError):
    """A draft that cannot be made or saved as asked (in Russian)."""


class StaleDraft(DraftError):
    """A save based on a revision another editor has already replaced."""


def folder_bpmn(processes_dir: Path, municipality: str, label: str) -> Path | None:
    """The BPMN file of a version folder on disk, if the folder has exactly one."""
    folder = Path(processes_dir) / municipality / label
    found = sorted(folder.glob("*.bpmn")) if folder.is_dir() else []
    return found[0] if len(found) == 1 else None


def folder_labels(processes_dir: Path, municipality: str) -> list[str]:
    """The version folders of a municipality that a draft can start from."""
    town = Path(processes_dir) / municipality
    if not town.is_dir():
        return []
    return sorted(
        path.name for path in town.iterdir() if folder_bpmn(processes_dir, municipality, path.name)
    )


def draft_by_label(session: Session, municipality: str, label: str) -> VersionDraft | None:
    """A municipality's draft by its label."""
    query = select(VersionDraft).where(
        VersionDraft.municipality == municipality, VersionDraft.label == label
    )
    return session.scalars(query).first()


def drafts_of(session: Session, municipality: str) -> list[VersionDraft]:
    """A municipality's drafts, newest change first."""
    query = select(VersionDraft).where(VersionDraft.municipality == municipality)
    return list(session.scalars(query.order_by(VersionDraft.updated_at.desc())))


def create_draft(
    session: Session,
    municipality: str,
    base: VersionFiles,
    base_label: str,
    label: str,
    actor: str,
    now: datetime,
) -> VersionDraft:
    """A new draft from a version's files under a label no version or draft has."""
    taken = session.scalars(
        select(ProcessVersion.id).where(
            ProcessVersion.municipality == municipality, ProcessVersion.label == label
        )
    ).first()
    if taken is not None or draft_by_label(session, municipality, label) is not None:
        raise DraftError(f"Версия «{label}» уже есть: выберите другое имя черновика.")
    draft = VersionDraft(
        municipality=municipality,
        label=label,
        base_label=base_label,
        filename=base.filename,
        bpmn_xml=base.xml.decode("utf-8"),
        forms_yaml=_text(base.forms_yaml),
        deadlines_yaml=_text(base.deadlines_yaml),
        revision=1,
        created_by=actor,
        updated_by=actor,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def save_draft(
    session: Session,
    draft: VersionDraft,
    revision: int,
    edited_xml: bytes,
    deadlines_yaml: str | None,
    actor: str,
    now: datetime,
    forms_yaml: str | None = None,
) -> int:
    """Store an edit made on `revision`, merged into the saved XML; the new revision."""
    merged = merge_xml(draft.bpmn_xml.encode("utf-8"), edited_xml).decode("utf-8")
    values = {"bpmn_xml": merged, "revision": revision + 1, "updated_by": actor, "updated_at": now}
    if deadlines_yaml is not None:
        values["deadlines_yaml"] = deadlines_yaml
    if forms_yaml is not None:  # the forms as typed in the page's form editor
        values["forms_yaml"] = forms_yaml
    # A guarded UPDATE: of two editors who opened the same revision, exactly one saves.
    done = session.execute(
        update(VersionDraft)
        .where(VersionDraft.id == draft.id, VersionDraft.revision == revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(draft)
        raise StaleDraft(
            f"Черновик «{draft.label}» уже сохранил {draft.updated_by} (редакция {draft.revision}),"
            f" а вы правили редакцию {revision}: ваши изменения не записаны и остались на странице."
            " Откройте черновик заново и повторите правку."
        )
    session.refresh(draft)
    return revision + 1


def edited_draft(
    draft: VersionDraft, edited_xml: bytes, table_yaml: str | None, forms_yaml: str | None = None
) -> VersionDraft:
    """The draft as the page shows it (unsaved edits merged in), for its scenarios; not stored."""
    merged = merge_xml(draft.bpmn_xml.encode("utf-8"), edited_xml).decode("utf-8")
    return VersionDraft(
        municipality=draft.municipality,
        label=draft.label,
        base_label=draft.base_label,
        filename=draft.filename,
        bpmn_xml=merged,
        forms_yaml=draft.forms_yaml if forms_yaml is None else forms_yaml,
        deadlines_yaml=table_yaml,
        revision=draft.revision,
        created_by=draft.created_by,
        updated_by=draft.updated_by,
        updated_at=draft.updated_at,
    )


def draft_files(draft: VersionDraft, processes_dir: Path) -> VersionFiles:
    """The draft's files as deploy reads them (municipality.yaml from disk)."""
    settings = Path(processes_dir) / draft.municipality / SETTINGS_FILE
    return VersionFiles(
        draft.bpmn_xml.encode("utf-8"),
        draft.filename,
        _bytes(draft.forms_yaml),
        _bytes(draft.deadlines_yaml),
        settings.read_bytes() if settings.is_file() else None,
    )


@contextmanager
def draft_folder(draft: VersionDraft, processes_dir: Path) -> Iterator[Path]:
    """A temporary `<municipality>/<label>/` folder: the draft's files and its base's scenarios."""
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / draft.municipality / draft.label
        folder.mkdir(parents=True)
        bpmn = folder / draft.filename
        bpmn.write_text(draft.bpmn_xml, encoding="utf-8")
        for name, text in ((FORMS_FILE, draft.forms_yaml), (TABLE_FILE, draft.deadlines_yaml)):
            if text is not None:
                (folder / name).write_text(text, encoding="utf-8")
        base = Path(processes_dir) / draft.municipality / draft.base_label
        for scenario in sorted(base.glob(f"*{SCENARIO_SUFFIX}")):
            shutil.copy(scenario, folder / scenario.name)
        yield bpmn


def run_draft_scenarios(draft: VersionDraft, processes_dir: Path) -> SelfTest:
    """The base folder's scenarios run on the draft's files (nothing stored)."""
    with draft_folder(draft, processes_dir) as bpmn:
        return self_test(draft_files(draft, processes_dir), bpmn, Path(processes_dir))


def deploy_draft(
    session: Session, runtime: Runtime, draft: VersionDraft, actor: str
) -> TestedDeployment:
    """Deploy the draft as an inactive version once its checks and scenarios pass."""
    with draft_folder(draft, runtime.processes_dir) as bpmn:
        outcome = deploy_version(
            session, runtime, bpmn, actor, untested_because=None, activate=False
        )
    session.delete(draft)
    return outcome


def _text(content: bytes | None) -> str | None:
    return content.decode("utf-8") if content is not None else None


def _bytes(content: str | None) -> bytes | None:
    return content.encode("utf-8") if content is not None else None
