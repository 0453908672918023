"""Per-user rate limits for posting (a flood from one user is answered 429, not queued).

Token buckets kept in the process: with several app processes each allows the configured
rate, which bounds a flood per process; a shared limit would need Redis or the database.
"""

from __future__ import annotations

import math
import threading
import time
import uuid

from fastapi import HTTPException, Request

from liaison.domain.accounts import Principal


class TokenBuckets:
    def __init__(self, per_minute: int, burst: int) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: dict[uuid.UUID, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: uuid.UUID, now: float | None = None) -> float:
        """0 when allowed; otherwise the seconds until a token is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - at) * self._rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self._rate


def limit_posts(request: Request, caller: Principal) -> None:
    buckets: TokenBuckets = request.app.state.post_limits
    wait = buckets.take(caller.user_id)
    if wait:
        raise HTTPException(
            429,
            "posting too fast: wait and send again",
            headers={"Retry-After": str(math.ceil(wait))},
        )
