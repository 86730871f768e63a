"""Sources of incoming messages and publishing channels."""
