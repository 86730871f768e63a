"""Delivering the outbox through the channels' APIs (docs/publishing.md)."""
