"""The deadline table: every duty of a regulation with a term, declared once (deadlines.yaml)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.bpmn.catalog import clauses_in

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
START_EVENTS = ("received", "step_opened", "completed", "deadline", "data")
PAUSE_MODES = ("resume", "restart")
COUNTED = ("working", "calendar")
# duty: a term staff must keep (its breach is a violation); wait: a limit on waiting for someone
# outside (the author's reply), whose passing only moves the case on.
KINDS = ("duty", "wait")
HOLDER = "holder"
TABLE_FORMAT = 2
TABLE_FILE = "deadlines.yaml"


class TableError(ValueError):
    """A deadline table refused, naming the row and the key (in Russian)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class StartEvent:
    """The event a deadline counts from: arrival, the step's opening, a completion, a deadline."""

    kind: str
    ref: str | None = None

    def describe(self) -> str:
        """The start in Russian, for staff and the regulation report."""
        return {
            "received": "с поступления сообщения",
            "step_opened": "с получения задачи исполнителем шага",
            "completed": f"с завершения шага «{self.ref}»",
            "deadline": f"от срока «{self.ref}»",
            "data": f"от момента «{self.ref}»",
        }[self.kind]


@dataclass(frozen=True)
class Reminder:
    """A notice some time before the due moment."""

    before: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class Pause:
    """While one of these elements waits (on the author), the deadline stops."""

    while_: tuple[str, ...]
    mode: str  # resume: with the time it had left; restart: from the end of the pause


@dataclass(frozen=True)
class DeadlineRule:
    """One row of the table: a duty's term, where it counts from, what it covers, who answers."""

    name: str
    clause: str
    text: str
    reading: str | None
    counted: str | None
    start: StartEvent
    steps: tuple[str, ...]
    until: tuple[str, ...]
    when: str | None = None
    # A span whose duty is known only when a later step completes: armed then, `when` read with
    # that step's data, counted from `from` all the same (Perm 3.6: an intermediate answer).
    known_at: tuple[str, ...] = ()
    # Rows whose arming later in the same (sub)process replaces this term: a breach of it is
    # withdrawn (Perm 3.4: an answer that needs photos has 8 days, not 3.2's 4 hours).
    superseded_by: tuple[str, ...] = ()
    shortened_by: str | None = None
    responsible: str | None = None
    notify: tuple[str, ...] = ()
    remind: Reminder | None = None
    pause: Pause | None = None
    note: str = ""
    kind: str = "duty"

    @property
    def is_duty(self) -> bool:
        """Whether passing the term is a violation (a wait only moves the case on)."""
        return self.kind == "duty"

    @property
    def is_span(self) -> bool:
        """A span runs from an event to the completion of a later step, whatever holds the case."""
        return bool(self.until)

    @property
    def term(self) -> str:
        """The text the engine reads: the declared reading, or the document's own words."""
        return self.reading or self.text


@dataclass(frozen=True)
class DeadlineTable:
    """A version's deadlines by name; `legacy` tables only list rows for traceability."""

    rules: dict[str, DeadlineRule] = field(default_factory=dict)
    legacy: bool = True

    def __contains__(self, name: object) -> bool:
        return name in self.rules

    def __getitem__(self, name: str) -> DeadlineRule:
        return self.rules[name]

    def spans(self) -> list[DeadlineRule]:
        """The rows that cover a span of steps."""
        return [rule for rule in self.rules.values() if rule.is_span]

    def for_step(self, element_id: str) -> list[DeadlineRule]:
        """Step rows that bind a step."""
        return [rule for rule in self.rules.values() if element_id in rule.steps]

    def data_names(self) -> set[str]:
        """Case data the table reads: a shortening term, a stored moment, a span's condition."""
        found: set[str] = set()
        for rule in self.rules.values():
            if rule.shortened_by:
                found.add(rule.shortened_by)
            if rule.start.kind == "data" and rule.start.ref:
                found.add(rule.start.ref)
            if rule.when:
                found |= _names_in(rule.when)
        return found


EMPTY_TABLE = DeadlineTable()


def read_table_yaml(content: bytes | None) -> Any:
    """The parsed `deadlines.yaml` of a version (None when it has none)."""
    if content is None:
        return None
    try:
        return yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise TableError([f"не читается как YAML: {error}"]) from error


def read_table(raw: Any) -> DeadlineTable:
    """A deadline table from the parsed YAML: format 2 (`deadlines:` by name) or a legacy list."""
    if raw is None or isinstance(raw, list):
        return EMPTY_TABLE  # the legacy list of {clause, step, deadline} is only traced
    if not isinstance(raw, dict) or "deadlines" not in raw:
        raise TableError(["ожидается «deadlines:» — сроки по именам (docs/deadlines.md)"])
    rows = raw["deadlines"]
    if not isinstance(rows, dict):
        raise TableError(["deadlines: ожидается перечень сроков по именам"])
    problems: list[str] = []
    rules: dict[str, DeadlineRule] = {}
    for name, item in rows.items():
        reader = _RowReader(str(name), item, problems)
        rule = reader.rule()
        if rule is not None:
            rules[rule.name] = rule
    _check_references(rules, problems)
    if problems:
        raise TableError(problems)
    return DeadlineTable(rules, legacy=False)


def table_to_dict(table: DeadlineTable) -> dict[str, Any] | None:
    """The table as stored with the version (JSON); None for a legacy table."""
    if table.legacy:
        return None
    return {"format": TABLE_FORMAT, "deadlines": {n: _rule_dict(r) for n, r in table.rules.items()}}


def table_from_dict(stored: dict[str, Any] | None) -> DeadlineTable:
    """The table of a deployed version."""
    if not stored:
        return EMPTY_TABLE
    rules = {name: _rule_from_dict(name, item) for name, item in stored["deadlines"].items()}
    return DeadlineTable(rules, legacy=False)


def _rule_dict(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "clause": rule.clause,
        "text": rule.text,
        "reading": rule.reading,
        "counted": rule.counted,
        "from": {"kind": rule.start.kind, "ref": rule.start.ref},
        "steps": list(rule.steps),
        "until": list(rule.until),
        "when": rule.when,
        "known_at": list(rule.known_at),
        "superseded_by": list(rule.superseded_by),
        "shortened_by": rule.shortened_by,
        "responsible": rule.responsible,
        "notify": list(rule.notify),
        "remind": {"before": rule.remind.before, "to": list(rule.remind.to)}
        if rule.remind
        else None,
        "pause": {"while": list(rule.pause.while_), "mode": rule.pause.mode}
        if rule.pause
        else None,
        "note": rule.note,
        "kind": rule.kind,
    }


def _rule_from_dict(name: str, item: dict[str, Any]) -> DeadlineRule:
    remind, pause = item.get("remind"), item.get("pause")
    return DeadlineRule(
        name=name,
        clause=item["clause"],
        text=item["text"],
        reading=item.get("reading"),
        counted=item.get("counted"),
        start=StartEvent(item["from"]["kind"], item["from"].get("ref")),
        steps=tuple(item.get("steps") or ()),
        until=tuple(item.get("until") or ()),
        when=item.get("when"),
        known_at=tuple(item.get("known_at") or ()),
        superseded_by=tuple(item.get("superseded_by") or ()),
        shortened_by=item.get("shortened_by"),
        responsible=item.get("responsible"),
        notify=tuple(item.get("notify") or ()),
        remind=Reminder(remind["before"], tuple(remind["to"])) if remind else None,
        pause=Pause(tuple(pause["while"]), pause["mode"]) if pause else None,
        note=item.get("note") or "",
        kind=item.get("kind") or "duty",
    )


_KEYS = frozenset(
    {"clause", "text", "reading", "counted", "from", "step", "until", "when", "known_at"}
    | {"shortened_by", "superseded_by"}
    | {"responsible", "notify", "remind", "pause", "note", "kind"}
)


class _RowReader:
    """Reads one row, collecting every problem with the row's name."""

    def __init__(self, name: str, item: Any, problems: list[str]) -> None:
        self.name = name
        self.item = item if isinstance(item, dict) else {}
        self.problems = problems
        if not NAME.match(name):
            self.fail("имя срока: латинские строчные буквы, цифры и _, например «draft_answer»")
        if not isinstance(item, dict):
            self.fail("ожидается описание срока (clause, text, step или until, ...)")
        for key in sorted(set(self.item) - _KEYS):
            self.fail(f"неизвестный ключ «{key}»; допустимы: {', '.join(sorted(_KEYS))}")

    def fail(self, problem: str) -> None:
        self.problems.append(f"срок «{self.name}»: {problem}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"не указан «{key}»")
            return None
        if not isinstance(value, str | int | float):
            self.fail(f"«{key}»: ожидается текст")
            return None
        return str(value).strip()

    def names(self, key: str) -> tuple[str, ...]:
        value = self.item.get(key)
        if value is None:
            return ()
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v for v in values):
            self.fail(f"«{key}»: ожидается идентификатор элемента или их список")
            return ()
        return tuple(values)

    def rule(self) -> DeadlineRule | None:
        clause = self.clause()
        text = self.text("text", required=True)
        steps, until = self.names("step"), self.names("until")
        if bool(steps) == bool(until):
            self.fail("укажите либо «step» (срок шага), либо «until» (срок от события до шага)")
        counted = self.text("counted")
        if counted is not None and counted not in COUNTED:
            self.fail(f"«counted»: одно из {', '.join(COUNTED)}")
        kind = self.text("kind") or "duty"
        if kind not in KINDS:
            self.fail(f"«kind»: одно из {', '.join(KINDS)}")
        if kind == "wait" and (until or self.item.get("notify") or self.item.get("remind")):
            self.fail("срок ожидания (kind: wait) — это таймер шага без уведомлений")
        start = self.start(default="step_opened" if steps else None)
        rule = DeadlineRule(
            name=self.name,
            clause=clause or "",
            text=text or "",
            reading=self.text("reading"),
            counted=counted,
            start=start or StartEvent("received"),
            steps=steps,
            until=until,
            when=self.text("when"),
            known_at=self.known_at(until, start),
            superseded_by=self.names("superseded_by"),
            shortened_by=self.text("shortened_by"),
            responsible=self.text("responsible"),
            notify=self.names("notify"),
            remind=self.reminder(),
            pause=self.pause(),
            note=self.text("note") or "",
            kind=kind,
        )
        return rule if clause and text and start else None

    def known_at(self, until: tuple[str, ...], start: StartEvent | None) -> tuple[str, ...]:
        steps = self.names("known_at")
        if steps and not until:
            self.fail("«known_at» бывает только у срока от события до шага («until»)")
        if steps and start is not None and start.kind not in ("received", "data", "deadline"):
            self.fail(
                "«known_at»: срок считается от received, {data: <поле>} или {deadline: <срок>}, "
                "момент которых известен и позже"
            )
        return steps

    def clause(self) -> str | None:
        raw = self.item.get("clause")
        written = "; ".join(map(str, raw)) if isinstance(raw, list) else self.text("clause")
        if not written:
            self.fail("не указан «clause»")
            return None
        found = clauses_in(written)
        if not found:
            self.fail(f"«clause»: пункт в виде «Город, п. N», получено «{written}»")
            return None
        return "; ".join(found)

    def start(self, default: str | None) -> StartEvent | None:
        raw = self.item.get("from", default)
        if raw is None:
            self.fail("не указано, от какого события считается срок («from»)")
            return None
        if isinstance(raw, str) and raw in ("received", "step_opened"):
            return StartEvent(raw)
        if isinstance(raw, dict) and len(raw) == 1:
            [(kind, ref)] = raw.items()
            if kind in ("completed", "deadline", "data") and isinstance(ref, str) and ref:
                return StartEvent(kind, ref)
        self.fail(
            "«from»: received, step_opened, {completed: <шаг>}, {deadline: <срок>} "
            "или {data: <поле с моментом>}"
        )
        return None

    def reminder(self) -> Reminder | None:
        raw = self.item.get("remind")
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw.get("before") or not raw.get("to"):
            self.fail("«remind»: {before: <срок до истечения>, to: [роли]}")
            return None
        to = raw["to"] if isinstance(raw["to"], list) else [raw["to"]]
        return Reminder(str(raw["before"]), tuple(str(role) for role in to))

    def pause(self) -> Pause | None:
        raw = self.item.get("pause")
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw.get("while"):
            self.fail("«pause»: {while: [шаги ожидания автора], mode: resume | restart}")
            return None
        mode = raw.get("mode", "resume")
        if mode not in PAUSE_MODES:
            self.fail(f"«pause.mode»: одно из {', '.join(PAUSE_MODES)}")
        waits = raw["while"] if isinstance(raw["while"], list) else [raw["while"]]
        return Pause(tuple(str(w) for w in waits), str(mode))


def _check_references(rules: dict[str, DeadlineRule], problems: list[str]) -> None:
    for rule in rules.values():
        if rule.start.kind == "deadline" and rule.start.ref not in rules:
            problems.append(f"срок «{rule.name}»: «from» ссылается на неизвестный срок")
        if rule.start.ref == rule.name:
            problems.append(f"срок «{rule.name}»: не может считаться от самого себя")
        for other in rule.superseded_by:
            if other not in rules or other == rule.name:
                problems.append(
                    f"срок «{rule.name}»: «superseded_by» — нет другого срока «{other}»"
                )


def _names_in(condition: str) -> set[str]:
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
