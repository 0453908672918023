"""Errors that actions and queries raise; each transport renders them in its own way."""

from __future__ import annotations


class LiaisonError(Exception):
    """Base class. `str(error)` is safe to show to the caller: it never holds protected content."""


class NotFound(LiaisonError):
    """Absent, or present but not visible to the caller: the two must look the same."""


class Forbidden(LiaisonError):
    """The caller is known but lacks the role for this action."""


class Conflict(LiaisonError):
    """The change clashes with existing state (a taken username, a stale version)."""


class Stale(Conflict):
    """The change was based on a version that is no longer current (If-Match failed)."""


class Invalid(LiaisonError):
    """The request is well-formed but breaks a rule; `field` names the offending input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TooLarge(LiaisonError):
    """The input is over the size the node accepts (an attachment, a message)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"too large: the limit is {limit} bytes")
        self.limit = limit
