"""Work the node does on its own while it serves: chasing unacknowledged precedence messages."""

from __future__ import annotations

import logging
import threading

from liaison.actions.alerts import do_chase_acknowledgements
from liaison.node import Node
from liaison.store.types import utcnow

log = logging.getLogger(__name__)
CHASE_EVERY_SECONDS = 30.0


class ChaseLoop:
    """A daemon thread running a chase round every CHASE_EVERY_SECONDS until stopped."""

    def __init__(self, node: Node, every: float = CHASE_EVERY_SECONDS) -> None:
        self._node = node
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liaison-chase", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                with self._node.db.writing() as session:
                    result = do_chase_acknowledgements(session, utcnow())
                if result.reminders or result.escalations:
                    log.info(
                        "chased acknowledgements",
                        extra={"reminders": result.reminders, "escalations": result.escalations},
                    )
            except Exception:
                log.exception("chasing acknowledgements failed; trying again next round")
