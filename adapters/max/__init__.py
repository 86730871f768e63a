"""MAX: the bot API webhook (intake)."""
