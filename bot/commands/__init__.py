"""The command table: every command a person can type, on every channel."""
