"""Parse and check a BPMN file before anything of it is stored."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.catalog import BPMN_NS, NS, build_catalog, parse_xml
from engine.deadlines import DeadlineExpressionError, check_deadline_expression
from engine.forms import library_keys
from engine.scripting import ScriptRefused, compile_expression, compile_script


class DeployError(Exception):
    """A BPMN file refused at deploy, naming the element and the reason."""

    def __init__(self, reason: str, element_id: str | None = None, line: int | None = None) -> None:
        where = f" (element {element_id})" if element_id else ""
        where += f" (line {line})" if line else ""
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.element_id = element_id
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
    form_keys: Collection[str] | None = None,
) -> ParsedProcess:
    """Parse with SpiffWorkflow's validating parser, then check forms, scripts and deadlines.

    `form_keys` are the forms the version declares (None: the library's).
    """
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        raise DeployError(f"not well-formed XML: {error.msg}", line=error.lineno) from error
    parser = SpiffBpmnParser(validator=BpmnValidator())
    try:
        parser.add_bpmn_xml(root, filename)
        process_id = _main_process_id(parser, root)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        raise DeployError(str(error).split("\n")[0], error.id or None, _line(error)) from error
    except SpiffWorkflowException as error:
        raise DeployError(str(error)) from error
    catalog = build_catalog(root, process_id)
    check_catalog(catalog, root, parse_deadline, form_keys)
    return ParsedProcess(process_id, spec, subprocess_specs, catalog)


def _line(error: ValidationException) -> int | None:
    return error.line_number if isinstance(error.line_number, int) else None


def _main_process_id(parser: SpiffBpmnParser, root: Any) -> str:
    executable = parser.get_process_ids()
    called = {node.get("calledElement") for node in root.iter(f"{{{BPMN_NS}}}callActivity")}
    candidates = [pid for pid in executable if pid not in called]
    if len(candidates) != 1:
        raise DeployError(
            f"expected exactly one executable top-level process, found {candidates or 'none'}"
        )
    return candidates[0]


def check_catalog(
    catalog: dict[str, Any],
    root: Any,
    parse_deadline: Callable[[str], Any],
    form_keys: Collection[str] | None = None,
) -> None:
    """Every user task names a known form; every expression compiles; every deadline reads."""
    known = set(library_keys() if form_keys is None else form_keys)
    for element in catalog["elements"].values():
        if element["type"] == "userTask":
            _check_form(element, known)
        if element["timer"]:
            _check_timer(element, parse_deadline)
    _check_code(root)


def _check_form(element: dict[str, Any], known: set[str]) -> None:
    form = element["properties"].get("form")
    if not form:
        raise DeployError("user task names no form (spiffworkflow property 'form')", element["id"])
    if form not in known:
        raise DeployError(
            f"неизвестная форма «{form}»: её нет ни в библиотеке, ни в forms.yaml; "
            f"есть: {', '.join(sorted(known))}",
            element["id"],
        )


def _check_timer(element: dict[str, Any], parse_deadline: Callable[[str], Any]) -> None:
    expression = element["timer"]["expression"]
    if not expression:
        raise DeployError("timer has no expression", element["id"])
    try:
        compile_expression(expression)
        check_deadline_expression(expression, parse_deadline)
    except (ScriptRefused, DeadlineExpressionError) as error:
        raise DeployError(str(error), element["id"]) from error


def _check_code(root: Any) -> None:
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            _compile(compile_expression, condition.text.strip(), flow.get("id"))
    for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.find("bpmn:script", NS)
        if script is not None and (script.text or "").strip():
            _compile(compile_script, script.text, task.get("id"))


def _compile(compile_: Callable[[str], Any], source: str, element_id: str | None) -> None:
    try:
        compile_(source)
    except ScriptRefused as error:
        raise DeployError(str(error), element_id) from error
