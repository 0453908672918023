"""Resolve bearer secrets to principals, with a short per-process cache.

A hit costs microseconds instead of a database round trip. The cache is correct within a
process, because every revocation, account change and deactivation publishes an event that
drops the entries concerned. Across processes, an entry can outlive a change made elsewhere by
at most TTL_SECONDS, until cross-process fan-out delivers those events (see architecture.md).
"""

from __future__ import annotations

import threading
import time
import uuid

from liaison.actions.accounts import secret_digest
from liaison.events.bus import Event
from liaison.node import Node
from liaison.queries.accounts import Holder, holder_of_secret
from liaison.store.types import utcnow

TTL_SECONDS = 2.0
MAX_ENTRIES = 10_000
INVALIDATING_EVENTS = frozenset({"credential.revoked", "user.updated"})


class CredentialCache:
    def __init__(self, node: Node) -> None:
        self._node = node
        self._entries: dict[tuple[bytes, str], tuple[float, Holder]] = {}
        self._lock = threading.Lock()
        node.bus.subscribe(self._on_event)

    def cached(self, secret: str, kind: str) -> Holder | None:
        """A fresh cached holder, without touching the database (safe on the event loop)."""
        entry = self._entries.get((secret_digest(secret), kind))
        if entry is None:
            return None
        cached_at, holder = entry
        if time.monotonic() - cached_at < TTL_SECONDS and holder.expires_at > utcnow():
            return holder
        return None

    def load(self, secret: str, kind: str) -> Holder | None:
        """Look the secret up in the database (blocking) and cache what is found."""
        key = (secret_digest(secret), kind)
        with self._node.db.reading() as session:
            found = holder_of_secret(session, key[0], kind)
        with self._lock:
            if found is None:
                self._entries.pop(key, None)
                return None
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), found)
        return found

    def _on_event(self, event: Event) -> None:
        if event.kind not in INVALIDATING_EVENTS or event.object_id is None:
            return
        target = uuid.UUID(event.object_id)
        with self._lock:
            stale = [
                key
                for key, (_, holder) in self._entries.items()
                if target in (holder.principal.user_id, holder.principal.credential_id)
            ]
            for key in stale:
                del self._entries[key]
