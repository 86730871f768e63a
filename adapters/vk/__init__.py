"""ВКонтакте: the Callback API webhook (intake)."""
