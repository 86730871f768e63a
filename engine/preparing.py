"""Every check of a deploy on a version's files, storing nothing (deploy and `reglament check`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from engine.bpmn.catalog import parse_xml
from engine.bpmn.names import names_read
from engine.bpmn.parsing import DeployError, ParsedProcess, parse_process
from engine.bpmn.samples import SampleContext
from engine.checks import check_version, refuse
from engine.clock import using_clock
from engine.forms import (
    FORMS_FILE,
    FormContext,
    FormDeclarationError,
    FormSpec,
    VersionForms,
    declared_in,
    library,
)
from engine.forms.usage import unread_fields, unused_forms
from engine.lanes import check_lanes
from engine.municipalities import (
    Municipality,
    RegulationCalendar,
    load_municipality,
    regulation_calendar,
)
from engine.regulation.checks import check_names, check_table, check_terms
from engine.regulation.table import (
    TABLE_FILE,
    DeadlineTable,
    TableError,
    read_table,
    read_table_yaml,
)
from engine.runtime import Runtime
from engine.scripting import bind_functions
from engine.worktime import parse_deadline
from engine.worktime.loader import SETTINGS_FILE
from engine.worktime.settings import CalendarConfigError

DEPARTMENT_KINDS = ("department", "departments")

if TYPE_CHECKING:
    from engine.versions import VersionFiles


@dataclass(frozen=True)
class PreparedVersion:
    """A version's files that passed every deploy check: what deploy stores."""

    parsed: ParsedProcess
    table: DeadlineTable
    forms: dict[str, FormSpec]
    warnings: list[str]


def checked_municipality(municipality: str, processes_dir: Path) -> Municipality:
    """The municipality's validated settings; a broken or missing file refuses the deploy."""
    try:
        return load_municipality(municipality, processes_dir)
    except CalendarConfigError as error:
        raise DeployError(f"{SETTINGS_FILE}: {error}") from error


def prepare_version(
    files: VersionFiles,
    municipality: str,
    runtime: Runtime,
    settings: Municipality | None = None,
    calendar: RegulationCalendar | None = None,
) -> PreparedVersion:
    """Every check of a deploy, storing nothing (deploy and `reglament check` share it).

    `settings` and `calendar` are the version's snapshot of municipality.yaml (engine/versioning);
    without them the file in force is read.
    """
    xml = files.xml
    if settings is None:
        settings = checked_municipality(municipality, runtime.processes_dir)
    if calendar is None:
        calendar = regulation_calendar(municipality, runtime.processes_dir)
    # The registered checks first: every problem at once, in Russian, with element and line.
    refuse(
        check_version(
            xml, files.forms_yaml, files.deadlines_yaml, municipality, runtime.processes_dir
        )
    )
    local = declared_forms(files.forms_yaml)
    declared = {**library(), **local}
    table = _table(files.deadlines_yaml, xml, calendar)
    functions = bind_functions({"calendar": calendar, "table": table})
    samples = SampleContext(functions, runtime.clock.now())
    with using_clock(runtime.clock):  # now() in a sampled timer reads the injected clock
        parsed = parse_process(xml, files.filename, parse_deadline, samples, forms=declared)
    check_lanes(parsed.catalog, settings.roles)
    check_table(table, parsed.catalog, parse_xml(xml), calendar, settings.roles.ids)
    forms, warnings = _used_forms(xml, parsed, declared, local, settings, table.data_names())
    _check_form_limits(forms, table)
    return PreparedVersion(parsed, table, forms, warnings)


def _check_form_limits(forms: dict[str, FormSpec], table: DeadlineTable) -> None:
    """A field's `not_after: {deadline: name}` names a row of the version's deadline table."""
    for form in forms.values():
        for spec in form.fields:
            for limit in spec.not_after or ():
                _check_limit(form, spec.name, limit.get("deadline"), table)


def _check_limit(form: FormSpec, field: str, name: str | None, table: DeadlineTable) -> None:
    if name is not None and name not in table:
        known = ", ".join(sorted(table.rules)) or "нет строк"
        raise DeployError(
            f"{FORMS_FILE}: форма «{form.key}», поле «{field}»: not_after: "
            f"в таблице сроков нет срока «{name}» (есть: {known})"
        )


def _used_forms(
    xml: bytes,
    parsed: ParsedProcess,
    declared: dict[str, FormSpec],
    local: dict[str, FormSpec],
    settings: Municipality,
    table_reads: set[str],
) -> tuple[dict[str, FormSpec], list[str]]:
    """The forms the diagram's tasks name, compiled once for the municipality, and warnings."""
    used = {
        element["properties"]["form"]
        for element in parsed.catalog["elements"].values()
        if element["type"] == "userTask"
    }
    forms = {key: declared[key] for key in sorted(used)}
    _check_department_fields(forms, settings, _task_department_names(parsed.catalog))
    VersionForms(forms, form_context(settings))  # every schema builds now, not at first use
    read = names_read(parse_xml(xml)) | table_reads  # the deadline table reads fields too
    warnings = unused_forms(local, used) + unread_fields(forms, read)
    return forms, warnings


def _task_department_names(catalog: dict[str, Any]) -> set[str]:
    """The data names a task's department is read from (engine.projection)."""
    return {
        element["properties"].get("department_field", "department")
        for element in catalog["elements"].values()
        if element["type"] == "userTask"
    }


def _check_department_fields(
    forms: dict[str, FormSpec], settings: Municipality, task_departments: set[str]
) -> None:
    """Departments come from the municipality's list: else an id routes a task to nobody."""
    for form in forms.values():
        for item in form.fields:
            if item.name in task_departments and item.kind not in DEPARTMENT_KINDS:
                raise DeployError(
                    f"форма «{form.key}» ({form.title}), поле «{item.name}» ({item.label}): "
                    f"по нему задача получает подразделение, а вид поля — {item.kind}; "
                    "укажите kind: department, чтобы выбирали из списка подразделений"
                )
            if item.kind in DEPARTMENT_KINDS and not settings.departments:
                raise DeployError(
                    f"форма «{form.key}» ({form.title}), поле «{item.name}» ({item.label}): "
                    f"выбор подразделения, а в {SETTINGS_FILE} нет списка departments — "
                    "задача ушла бы подразделению, которого нет; перечислите подразделения"
                )


def _table(deadlines_yaml: bytes | None, xml: bytes, calendar: RegulationCalendar) -> DeadlineTable:
    """The version's deadline table, refused (in Russian) before the diagram is evaluated."""
    try:
        table = read_table(read_table_yaml(deadlines_yaml))
    except TableError as error:
        raise DeployError(f"{TABLE_FILE}: {error}") from error
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        return table  # parse_process refuses it with the line
    check_names(table, root)
    check_terms(table, calendar)
    return table


def declared_forms(forms_yaml: bytes | None) -> dict[str, FormSpec]:
    """The forms a version's forms.yaml declares, refused in Russian when it is broken."""
    if forms_yaml is None:
        return {}
    try:
        return declared_in(forms_yaml)
    except FormDeclarationError as error:
        raise DeployError(f"{FORMS_FILE}: {error}") from error


def form_context(settings: Municipality) -> FormContext:
    """What a municipality's settings add to its forms: departments and time zone."""
    departments = tuple((item.id, item.name) for item in settings.departments)
    return FormContext(departments=departments, timezone=settings.timezone)
