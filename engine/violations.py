"""The engine's own actors (timers, the engine itself, the demo) and how staff read them."""

TIMER_ACTOR = "timer"
SYSTEM_ACTOR = "system"  # what the engine does by itself (a redo given back to its author)
DEMO_ACTOR = "demo"  # the demo's seeding

# How staff read the engine's own actors (never a login on the screen).
ENGINE_ACTOR_NAMES = {
    TIMER_ACTOR: "Система (срок)",
    SYSTEM_ACTOR: "Система",
    DEMO_ACTOR: "Демонстрационные данные",
}
