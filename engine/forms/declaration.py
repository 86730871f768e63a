"""Reading a forms declaration (the library, a version's forms.yaml) into checked form specs."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

import yaml

from engine.forms import field_kinds as _field_kinds  # noqa: F401  (registers the kinds)
from engine.forms import file_kind as _file_kind  # noqa: F401  (registers the file kinds)
from engine.forms.conditions import check_condition
from engine.forms.kinds import COMMON_OPTIONS, KINDS, check_messages, kind_of
from engine.forms.spec import FieldSpec, FormDeclarationError, FormSpec

NAME = re.compile(r"[a-z][a-z0-9_]*")
# Data the engine itself puts in every case (engine/instances.py: initial_data, complete_task);
# a form field of such a name would overwrite it, e.g. the moment deadlines count from.
ENGINE_NAMES = frozenset(
    {
        "message",
        "received_at",
        "channel",
        "official_page",
        "source",
        "completed_at",
        "last_completed_at",
        "last_completed_by",
        # engine/linked.py: a linked case's facts and where a repeat message arrived
        "linked_case",
        "report_measures",
        "repeat_arrived_at_step",
    }
)
LIMIT_SOURCES = ("deadline", "data")  # where a `not_after` limit is read
FORM_KEYS = frozenset({"key", "title", "help", "submit", "extends", "fields", "remove"})
COMMENT = FieldSpec(name="comment", kind="long_text", label="Комментарий", record=True)
_FIELD_ATTRIBUTES: dict[str, type | tuple[type, ...]] = {
    "label": str,
    "help": str,
    "required": bool,
    "record": bool,
    "min_length": int,
    "max_length": int,
    "min": (int, float),
    "max": (int, float),
}


def read_declaration(text: bytes | str, source: str) -> Any:
    """The YAML of a declaration, or FormDeclarationError naming the file."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FormDeclarationError(f"{source}: не читается как YAML: {error}") from error
    if not isinstance(raw, dict) or set(raw) != {"forms"} or not isinstance(raw["forms"], list):
        raise FormDeclarationError(f"{source}: ожидается «forms:» со списком форм")
    return raw


def declare(
    raw: Mapping[str, Any], base_forms: Mapping[str, FormSpec] | None = None
) -> dict[str, FormSpec]:
    """Forms of a declaration; `extends` names a form of `base_forms` (None: an earlier one)."""
    declared: dict[str, FormSpec] = {}
    for entry in raw["forms"]:
        key = _form_key(entry)
        if key in declared:
            raise FormDeclarationError("форма объявлена дважды", key)
        bases = declared if base_forms is None else base_forms
        declared[key] = check_form(_form(entry, key, bases))
    return declared


def _form_key(entry: Any) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        raise FormDeclarationError(f"у формы нет ключа (key): {entry!r}")
    key: str = entry["key"]
    if not NAME.fullmatch(key):
        raise FormDeclarationError("ключ формы — латиница в нижнем регистре, цифры и «_»", key)
    unknown = sorted(set(entry) - FORM_KEYS)
    if unknown:
        raise FormDeclarationError(
            f"неизвестные ключи {unknown}; допустимы: {sorted(FORM_KEYS)}", key
        )
    return key


def _form(entry: dict[str, Any], key: str, bases: Mapping[str, FormSpec]) -> FormSpec:
    extends = entry.get("extends")
    raw_fields = entry.get("fields") or []
    if not isinstance(raw_fields, list):
        raise FormDeclarationError("fields: ожидается список полей", key)
    if extends is None:
        if entry.get("remove"):
            raise FormDeclarationError("remove возможен только вместе с extends", key)
        if not isinstance(entry.get("title"), str):
            raise FormDeclarationError("нужен заголовок формы (title)", key)
        fields = [_new_field(raw, key) for raw in raw_fields]
        return _assemble(key, entry, [*fields, COMMENT], None, "")
    base = bases.get(str(extends))
    if base is None:
        raise FormDeclarationError(
            f"extends: нет формы «{extends}» в библиотеке; есть: {', '.join(sorted(bases))}", key
        )
    fields = _extended_fields(base, entry, key)
    return _assemble(key, entry, fields, base.key, base.title, base.help, base.submit)


def _assemble(
    key: str,
    entry: dict[str, Any],
    fields: list[FieldSpec],
    extends: str | None,
    title: str,
    help_text: str = "",
    submit: str = "",
) -> FormSpec:
    names = [item.name for item in fields]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise FormDeclarationError("поле объявлено дважды", key, twice[0])
    ordered = [item for item in fields if item.name != "comment"]
    ordered += [item for item in fields if item.name == "comment"]  # the free comment last
    return FormSpec(
        key=key,
        title=_text(entry.get("title", title), key, None, "title"),
        help=_text(entry.get("help", help_text), key, None, "help"),
        fields=tuple(ordered),
        extends=extends,
        submit=_text(entry.get("submit", submit), key, None, "submit"),
    )


def _extended_fields(base: FormSpec, entry: dict[str, Any], key: str) -> list[FieldSpec]:
    removed = entry.get("remove") or []
    if not isinstance(removed, list):
        raise FormDeclarationError("remove: ожидается список имён полей", key)
    missing = [name for name in removed if name not in base.names]
    if missing:
        raise FormDeclarationError(
            f"remove: в форме «{base.key}» нет полей {missing}", key, str(missing[0])
        )
    fields = [item for item in base.fields if item.name not in removed]
    for raw in entry.get("fields") or []:
        name = _field_name(raw, key)
        present = next((i for i, item in enumerate(fields) if item.name == name), None)
        if present is None:
            fields.append(_new_field(raw, key))
        else:
            fields[present] = _override(fields[present], raw, key, base.key)
    return fields


def _field_name(raw: Any, form: str) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise FormDeclarationError(f"у поля нет имени (name): {raw!r}", form)
    name: str = raw["name"]
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise FormDeclarationError(
            "имя поля — латиница в нижнем регистре, цифры и «_» (его читает схема)", form, name
        )
    if name in ENGINE_NAMES:
        raise FormDeclarationError("это имя занято данными, которые ведёт движок", form, name)
    return name


def _new_field(raw: Any, form: str) -> FieldSpec:
    name = _field_name(raw, form)
    if "kind" not in raw:
        raise FormDeclarationError(
            f"нужен вид поля (kind); известны: {', '.join(sorted(KINDS))}", form, name
        )
    if not isinstance(raw.get("label"), str):
        raise FormDeclarationError("нужна подпись поля (label)", form, name)
    spec = FieldSpec(name=name, kind=str(raw["kind"]), label=raw["label"])
    _allowed_keys(spec, raw, form)
    return _apply(spec, raw, form, choices=_choices(raw.get("choices"), form, name))


def _override(base: FieldSpec, raw: dict[str, Any], form: str, base_form: str) -> FieldSpec:
    if "kind" in raw and raw["kind"] != base.kind:
        raise FormDeclarationError(
            f"в форме «{base_form}» поле имеет вид «{base.kind}»; чтобы сменить вид, "
            "уберите поле (remove) и объявите его заново",
            form,
            base.name,
        )
    _allowed_keys(base, raw, form)
    choices = base.choices
    if "choices" in raw:
        choices = _narrowed(base, raw["choices"], form, base_form)
    spec = _apply(base, raw, form, choices)
    if "required" in raw and "required_if" not in raw:
        spec = spec.with_changes(required_if=None)
    if "required_if" in raw and "required" not in raw:
        spec = spec.with_changes(required=False)
    return spec


def _allowed_keys(spec: FieldSpec, raw: dict[str, Any], form: str) -> None:
    kind = kind_of(spec, form)
    allowed = COMMON_OPTIONS | kind.options
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise FormDeclarationError(
            f"у вида «{kind.name}» нет ключей {unknown}; допустимы: {sorted(allowed)}",
            form,
            spec.name,
        )


def _apply(
    spec: FieldSpec, raw: dict[str, Any], form: str, choices: tuple[tuple[str, str], ...]
) -> FieldSpec:
    changes: dict[str, Any] = {"choices": choices}
    for attribute, wanted in _FIELD_ATTRIBUTES.items():
        if attribute in raw:
            value = raw[attribute]
            if not isinstance(value, wanted) or (wanted is not bool and isinstance(value, bool)):
                raise FormDeclarationError(
                    f"{attribute}: неверное значение {value!r}", form, spec.name
                )
            changes[attribute] = value
    if "default" in raw:
        changes["default"] = raw["default"]
    if "required_if" in raw:
        changes["required_if"] = raw["required_if"]  # checked with the whole form
    if "not_after" in raw:
        changes["not_after"] = _limit(raw["not_after"], form, spec.name)
    if "default_from" in raw:
        path = raw["default_from"]
        if not isinstance(path, str) or not all(NAME.fullmatch(part) for part in path.split(".")):
            raise FormDeclarationError(
                f"default_from: ожидается имя данных дела или путь «a.b», получено {path!r}",
                form,
                spec.name,
            )
        changes["default_from"] = path
    if "errors" in raw:
        errors = raw["errors"]
        if not isinstance(errors, dict) or not all(isinstance(v, str) for v in errors.values()):
            raise FormDeclarationError("errors: ожидается «ключ: текст сообщения»", form, spec.name)
        changes["errors"] = {**spec.errors, **{str(k): v for k, v in errors.items()}}
    return spec.with_changes(**changes)


def _limit(raw: Any, form: str, name: str) -> tuple[dict[str, Any], ...]:
    """`{deadline: <row>}` or `{data: <name>}`, or a list of them each with an optional `if`."""
    items = raw if isinstance(raw, list) and raw else [raw]
    return tuple(_one_limit(item, form, name) for item in items)


def _one_limit(raw: Any, form: str, name: str) -> dict[str, Any]:
    sources = [key for key in raw if key in LIMIT_SOURCES] if isinstance(raw, dict) else []
    extra = set(raw) - {*LIMIT_SOURCES, "if"} if isinstance(raw, dict) else set()
    value = raw.get(sources[0]) if len(sources) == 1 else None
    if len(sources) != 1 or extra or not isinstance(value, str) or not NAME.fullmatch(value):
        raise FormDeclarationError(
            "not_after: ожидается {deadline: имя срока} или {data: имя} (или их список с «if»), "
            f"получено {raw!r}",
            form,
            name,
        )
    return dict(raw)


def _choices(raw: Any, form: str, name: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise FormDeclarationError("choices: ожидается «значение: подпись»", form, name)
    pairs = []
    for value, label in raw.items():
        if not isinstance(value, str) or not isinstance(label, str):
            raise FormDeclarationError(
                f"choices: значение {value!r} и подпись — строки (возьмите их в кавычки)",
                form,
                name,
            )
        pairs.append((value, label))
    return tuple(pairs)


def _narrowed(base: FieldSpec, raw: Any, form: str, base_form: str) -> tuple[tuple[str, str], ...]:
    """A subset of a library field's choices, in the order given, relabelled where given."""
    if isinstance(raw, list):
        wanted = {str(value): base.choice_label(str(value)) for value in raw}
    else:
        wanted = dict(_choices(raw, form, base.name))
    outside = [value for value in wanted if value not in base.choice_values]
    if not base.choices or outside or not wanted:
        raise FormDeclarationError(
            f"choices: можно только сузить список формы «{base_form}» библиотеки; "
            f"значений {outside or list(wanted)} в нём нет (есть: {list(base.choice_values)})",
            form,
            base.name,
        )
    return tuple(wanted.items())


def _text(value: Any, form: str, name: str | None, attribute: str) -> str:
    if not isinstance(value, str):
        raise FormDeclarationError(f"{attribute}: ожидается текст", form, name)
    return value


def check_form(form: FormSpec) -> FormSpec:
    """Every field's kind, messages, bounds and condition hold; conditions normalized."""
    by_name = {item.name: item for item in form.fields}
    checked = []
    for spec in form.fields:
        kind = kind_of(spec, form.key)
        check_messages(kind, spec, form.key)
        kind.check(spec, form.key)
        if spec.required and spec.required_if is not None:
            raise FormDeclarationError("required и required_if вместе", form.key, spec.name)
        if spec.required_if is not None:
            condition = check_condition(spec.required_if, form.key, spec.name, by_name)
            spec = spec.with_changes(required_if=condition)
        if spec.not_after:
            limits = tuple(
                {**limit, "if": check_condition(limit["if"], form.key, spec.name, by_name)}
                if "if" in limit
                else limit
                for limit in spec.not_after
            )
            spec = spec.with_changes(not_after=limits)
        checked.append(spec)
    return FormSpec(form.key, form.title, tuple(checked), form.help, form.extends, form.submit)
