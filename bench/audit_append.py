"""Audit append overhead: the same action with and without its audit entry, in one run.

Target (issue 2): under 25% overhead.
"""

from __future__ import annotations

from unittest import mock

from bench.common import fresh_node, median, rate, report
from liaison.actions.accounts import do_create_user, do_update_user
from liaison.audit import log
from liaison.domain.accounts import SYSTEM

ACTIONS = 500
ROUNDS = 5


def run() -> None:
    node = fresh_node()
    with node.db.writing() as session:
        user = do_create_user(
            session,
            SYSTEM,
            username="subject",
            display_name="Subject",
            nation="FRA",
            roles=["officer"],
            password="bench-password-quartz-harbour",
            origin="bench.liaison",
        )
    counter = iter(range(10**9))

    def action() -> None:
        with node.db.writing() as session:
            do_update_user(session, SYSTEM, user.id, display_name=f"Subject {next(counter)}")

    with_audit, without_audit = [], []
    for _ in range(ROUNDS):
        with_audit.append(rate(action, ACTIONS))
        with mock.patch.object(log, "append", return_value=0):
            without_audit.append(rate(action, ACTIONS))
    audited, bare = median(with_audit), median(without_audit)
    report(
        "Audit append: an audited action vs the same action unaudited "
        f"({node.db.engine.dialect.name})",
        [
            ("without audit entry", f"{bare:,.0f} actions/s (median of {ROUNDS} x {ACTIONS})"),
            ("with audit entry", f"{audited:,.0f} actions/s"),
            ("overhead", f"{1 - audited / bare:.1%} (target < 25%)"),
        ],
    )
    node.close()


if __name__ == "__main__":
    run()
