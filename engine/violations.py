"""Who the engine names as the actor of what its timers do (violations are the ledger's)."""

TIMER_ACTOR = "timer"
