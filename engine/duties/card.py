"""What a duty's case shows where a message's case shows the citizen's message."""

from __future__ import annotations

from typing import Any

from engine.models import Message, ProcessInstance

DUTY_SOURCE = "schedule"


def duty_message(instance: ProcessInstance, catalog: dict[str, Any]) -> Message:
    """A stand-in, never stored: the duty's name and schedule in the message's place."""
    duty = (catalog.get("duties") or {}).get(instance.process_id or "", {})
    name = duty.get("name") or instance.process_id or ""
    return Message(
        municipality=instance.municipality,
        source=DUTY_SOURCE,
        external_id=instance.correlation_key,
        channel="feed",
        official_page=False,
        author="Обязанность по расписанию",
        author_id="",
        text=f"{name}: {duty.get('schedule', '')}".strip(": "),
        correlation_key=instance.correlation_key,
        received_at=instance.started_at,
        payload={},
        instance_id=instance.id,
    )
