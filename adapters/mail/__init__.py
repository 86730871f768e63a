"""Mail notices: the worker job that delivers the mail outbox over SMTP."""
