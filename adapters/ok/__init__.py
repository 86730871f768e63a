"""Одноклассники: the Bot API webhook (group chats) and polled topic comments."""
