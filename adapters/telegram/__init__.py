"""Telegram: the Bot API webhook (intake)."""
