"""Per-request context that every layer may read (set by the transports)."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
