"""`python -m bench [name ...]`: run the benchmarks (all by default), each printing its ratios."""

import sys
from importlib import import_module

BENCHMARKS = (
    "http_auth",
    "audit_append",
    "audit_verify",
    "security_decisions",
    "visible_query",
    "org_people",
    "reports",
    "messages",
    "stream",
)

for name in sys.argv[1:] or BENCHMARKS:
    if name not in BENCHMARKS:
        sys.exit(f"unknown benchmark {name!r}: one of {', '.join(BENCHMARKS)}")
    import_module(f"bench.{name}").run()
