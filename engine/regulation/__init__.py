"""What a regulation version declares beside its diagram: the deadline table (and its checks)."""
