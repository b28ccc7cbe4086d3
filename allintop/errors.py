"""The error hierarchy: every error a user can see carries a message and a hint."""

from __future__ import annotations


class AllintopError(Exception):
    """An error meant for the user: `message` says what went wrong, `hint` what to do."""

    title = "Error"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(AllintopError):
    """panels.yaml (or a command-line value) is wrong; fatal, exit code 2."""

    title = "Configuration error"


class SetupError(AllintopError):
    """Something the command needs is missing from this machine (e.g. a prometheus binary)."""

    title = "Setup error"
