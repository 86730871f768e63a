"""Which declared fields nobody reads: reported at deploy as warnings, never as refusals."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from engine.forms.spec import FormSpec

# Data names the engine and its reports read whatever the diagram does: name → who reads it.
CONSUMERS: dict[str, str] = {}


def register_consumer(name: str, reader: str) -> None:
    """Declare that engine or report code reads a form field of this name."""
    CONSUMERS[name] = reader


register_consumer("answer_text", "карточка дела: текст ответа")
register_consumer("answer_kind", "карточка дела: вид ответа")
register_consumer("review_decision", "карточка дела: возврат на доработку")
register_consumer("published_url", "карточка дела: ссылка на опубликованный ответ")
register_consumer("publish_via", "публикация через канал: запись в очередь отправки")
register_consumer("department", "список задач: подразделение задачи")


def unread_fields(
    forms: Mapping[str, FormSpec], read: Collection[str], consumers: Collection[str] = ()
) -> list[str]:
    """A warning per field no diagram expression, script, timer or known consumer reads."""
    known = set(read) | set(CONSUMERS) | set(consumers)
    return [
        f"форма «{form.key}», поле «{spec.name}» («{spec.label}»): его не читает ни диаграмма "
        "(условия, скрипты, таймеры), ни отчёт; уберите поле (remove) или отметьте record: true"
        for form in forms.values()
        for spec in form.fields
        if not spec.record and spec.name not in known
    ]


def unused_forms(declared: Collection[str], used: Collection[str]) -> list[str]:
    """A warning per form of forms.yaml that no user task names."""
    return [
        f"форма «{key}» объявлена в forms.yaml, но ни одна задача диаграммы её не называет"
        for key in sorted(set(declared) - set(used))
    ]
