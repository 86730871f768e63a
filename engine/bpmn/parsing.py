"""Parse and check a BPMN file before anything of it is stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.catalog import BPMN_NS, build_catalog, parse_xml
from engine.bpmn.loops import loops_without_wait
from engine.bpmn.names import (
    CODE_KINDS,
    Code,
    completed_at_keys,
    diagram_code,
    diagram_provides,
    reads,
)
from engine.bpmn.samples import SampleContext, sample_failures
from engine.bpmn.spiff_errors import russian
from engine.deadlines import DeadlineExpressionError, check_deadline_expression
from engine.duties.declared import DutyDecl, DutyError, add_to_catalog, duties_in, plain_start
from engine.forms import FormSpec, library
from engine.scripting import ScriptRefused, compile_expression, compile_script, diagram_names


class DeployError(Exception):
    """A BPMN file refused at deploy, naming the element and the reason."""

    def __init__(
        self,
        reason: str,
        element_id: str | None = None,
        line: int | None = None,
        element_name: str | None = None,
    ) -> None:
        parts = [f"элемент {element_id}" + (f" «{element_name}»" if element_name else "")]
        parts = (parts if element_id else []) + ([f"строка {line}"] if line else [])
        super().__init__(f"{reason} ({', '.join(parts)})" if parts else reason)
        self.reason = reason
        self.element_id = element_id
        self.element_name = element_name
        self.line = line


@dataclass
class ParsedProcess:
    """A BPMN file that parsed, validated and passed the engine's checks."""

    process_id: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    catalog: dict[str, Any]


def parse_process(
    xml: bytes,
    filename: str,
    parse_deadline: Callable[[str], Any],
    samples: SampleContext | None = None,
    forms: Mapping[str, FormSpec] | None = None,
) -> ParsedProcess:
    """Parse with SpiffWorkflow's validating parser, then check forms, code and deadlines.

    `forms` are the forms the version declares (None: the library's); their fields are names
    the diagram's code may read. With `samples` (the version's functions and a moment) every
    timer and condition is also evaluated on a sample case; without, only the static checks run.
    """
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        raise DeployError(
            f"файл диаграммы не читается как XML: {error.msg}", line=error.lineno
        ) from error
    try:
        duties = duties_in(root)
    except DutyError as error:
        raise DeployError(error.reason, error.element_id) from error
    parser = SpiffBpmnParser(validator=BpmnValidator())
    try:
        parser.add_bpmn_xml(root, filename)
        process_id = _main_process_id(parser, root, {duty.process_id for duty in duties})
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        _add_duty_specs(parser, duties, subprocess_specs)
    except ValidationException as error:
        message = russian(str(error).split("\n")[0])
        raise DeployError(message, error.id or None, _line(error)) from error
    except SpiffWorkflowException as error:
        raise DeployError(russian(str(error))) from error
    catalog = build_catalog(root, process_id)
    add_to_catalog(catalog, root, duties)
    declared = library() if forms is None else forms
    check_catalog(catalog, root, parse_deadline, declared)
    check_names(root, declared)
    check_loops(root)
    if samples is not None:
        check_samples(root, samples, declared)
    return ParsedProcess(process_id, spec, subprocess_specs, catalog)


def _line(error: ValidationException) -> int | None:
    return error.line_number if isinstance(error.line_number, int) else None


def _add_duty_specs(
    parser: SpiffBpmnParser, duties: list[DutyDecl], subprocess_specs: dict[str, BpmnProcessSpec]
) -> None:
    """A duty's process is stored beside the subprocesses, under its id (engine/duties)."""
    for duty in duties:
        duty_spec = parser.get_spec(duty.process_id)
        plain_start(duty_spec, duty.start_event)
        subprocess_specs.update(parser.get_subprocess_specs(duty.process_id))
        subprocess_specs[duty.process_id] = duty_spec


def _main_process_id(parser: SpiffBpmnParser, root: Any, duties: set[str]) -> str:
    executable = parser.get_process_ids()
    called = {node.get("calledElement") for node in root.iter(f"{{{BPMN_NS}}}callActivity")}
    candidates = [pid for pid in executable if pid not in called and pid not in duties]
    if len(candidates) != 1:
        raise DeployError(
            "ожидается ровно один исполняемый процесс верхнего уровня, найдено: "
            f"{', '.join(candidates) or 'ни одного'}"
        )
    return candidates[0]


def check_catalog(
    catalog: dict[str, Any],
    root: Any,
    parse_deadline: Callable[[str], Any],
    forms: Mapping[str, FormSpec] | None = None,
) -> None:
    """Every user task names a known form; every expression compiles; every deadline reads."""
    known = set(library() if forms is None else forms)
    for element in catalog["elements"].values():
        if element["type"] == "userTask":
            _check_form(element, known)
        if element["timer"] and not _is_schedule(element):
            _check_timer(element, parse_deadline)
    _check_code(root)


def _check_form(element: dict[str, Any], known: set[str]) -> None:
    form = element["properties"].get("form")
    if not form:
        raise DeployError("задача не называет форму (свойство spiffworkflow «form»)", element["id"])
    if form not in known:
        raise DeployError(
            f"неизвестная форма «{form}»: её нет ни в библиотеке, ни в forms.yaml; "
            f"есть: {', '.join(sorted(known))}",
            element["id"],
        )


def _is_schedule(element: dict[str, Any]) -> bool:
    """A duty's timer start event holds a schedule, read by engine/duties, not a deadline."""
    return element["type"] == "startEvent" and element["timer"]["kind"] == "timeCycle"


def _check_timer(element: dict[str, Any], parse_deadline: Callable[[str], Any]) -> None:
    expression = element["timer"]["expression"]
    if not expression:
        raise DeployError("у таймера нет выражения срока", element["id"])
    try:
        compile_expression(expression)
        check_deadline_expression(expression, parse_deadline)
    except ScriptRefused as error:
        reason = f"выражение таймера не допускается правилами скриптов: {error}"
        raise DeployError(reason, element["id"], element_name=element["name"]) from error
    except DeadlineExpressionError as error:
        raise DeployError(str(error), element["id"], element_name=element["name"]) from error


def _check_code(root: Any) -> None:
    for code in diagram_code(root):
        if code.what != "timer":  # timers are compiled with their deadline texts
            compile_ = compile_script if code.mode == "exec" else compile_expression
            try:
                compile_(code.source)
            except ScriptRefused as error:
                kind = CODE_KINDS.get(code.what, code.what)
                reason = f"{kind} не допускается правилами скриптов: {error}"
                name = code.element_name
                raise DeployError(reason, code.element_id, element_name=name) from error


def check_names(root: Any, forms: Mapping[str, FormSpec]) -> None:
    """Every name code reads is provided by the engine, a form, a script, the diagram's data."""
    provided = diagram_provides(root, forms)
    known = provided.all(diagram_names())
    for code in diagram_code(root):
        try:
            unknown = sorted(reads(code.source, code.mode) - known)
            missing_tasks = sorted(completed_at_keys(code.source, code.mode) - provided.user_tasks)
        except SyntaxError:
            continue  # compiling the code reported it already
        if unknown:
            raise _code_error(
                code,
                f"читает {', '.join(unknown)}: этого не дают ни движок, ни формы процесса, "
                "ни скрипты, ни элементы повторения, ни переменные сообщений",
            )
        if missing_tasks:
            raise _code_error(
                code, f"читает completed_at задачи {', '.join(missing_tasks)}: такой задачи нет"
            )


def check_loops(root: Any) -> None:
    """Refuse a loop of the sequence flow that passes no user task, message or timer."""
    for cycle in loops_without_wait(root):
        first = cycle[0]
        path = " → ".join(node.get("id") for node in [*cycle, first])
        raise DeployError(
            f"цикл без ожидания выполнялся бы бесконечно: {path}; "
            "проведите его через задачу сотрудника, сообщение или таймер",
            first.get("id"),
            element_name=first.get("name"),
        )


def check_samples(root: Any, samples: SampleContext, forms: Mapping[str, FormSpec]) -> None:
    """Refuse a timer or condition that fails, or a timer yielding no moment, on a sample case."""
    failures = sample_failures(list(diagram_code(root)), diagram_provides(root, forms), samples)
    if failures:
        failure = failures[0]
        raise _code_error(failure.code, f"не выполняется на пробном деле: {failure.reason}")


def _code_error(code: Code, reason: str) -> DeployError:
    return DeployError(
        f"{CODE_KINDS.get(code.what, code.what)} «{code.source.strip()}» {reason}",
        code.element_id,
        element_name=code.element_name,
    )
