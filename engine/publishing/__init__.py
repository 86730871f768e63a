"""Publishing answers through a channel's API (the outbox) and the REST API's tokens."""
