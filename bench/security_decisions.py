"""Access decisions per second: Liaison's XML-SPIF decision against Cedar (cedarpy) on one rule.

The rule (DESIGN.md): the label's classification is held, every restrictive category is held,
and, when the label releases to anyone, at least one of those releasability values is held.
Targets (issue 3): at least 10x Cedar's rate uncached, and 100x on the cached path.
"""

from __future__ import annotations

import random
import time

import cedarpy

from bench.common import report
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry, decide
from liaison.security.clearance import clearance_key
from liaison.security.validity import label_problem

CASES = 2_000
CEDAR_POLICY = """
permit(principal, action == Action::"read", resource)
when {
  principal.classifications.contains(resource.classification) &&
  principal.special.containsAll(resource.special) &&
  (resource.releasable == [] || principal.releasable.containsAny(resource.releasable))
};
"""

NATO = builtin_registry().require("NATO")
CLASSES = [c.name for c in NATO.classifications]
NATIONS = ["GBR", "FRA", "DEU", "USA", "POL", "ITA", "ESP", "NLD", "NATO"]
SPECIAL = ["ATOMAL", "CRYPTO"]


def _cases(rng: random.Random) -> list[tuple[Label, Clearance]]:
    """Valid labels only: Cedar expresses the rule, not the SPIF's validity constraints."""
    cases: list[tuple[Label, Clearance]] = []
    while len(cases) < CASES:
        releasable = frozenset(rng.sample(NATIONS, rng.randint(1, 4)))
        special = frozenset(rng.sample(SPECIAL, rng.randint(0, 1)))
        categories = [LabelCategory("Releasable To", TagKind.PERMISSIVE, releasable)]
        if special:
            categories.append(
                LabelCategory("Special Category Designators", TagKind.RESTRICTIVE, special)
            )
        label = Label("NATO", rng.choice(CLASSES), tuple(categories))
        if label_problem(NATO, label) is not None:
            continue
        held = {
            "Releasable To": frozenset(rng.sample(NATIONS, 2)),
            "Special Category Designators": frozenset(rng.sample(SPECIAL, rng.randint(0, 2))),
        }
        clearance = Clearance("NATO", frozenset(CLASSES[: rng.randint(1, 5)]), held)
        cases.append((label, clearance))
    return cases


def _cedar_entities(cases: list[tuple[Label, Clearance]]) -> list[dict[str, object]]:
    entities: list[dict[str, object]] = []
    for number, (label, clearance) in enumerate(cases):
        entities.append(
            {
                "uid": {"type": "Reader", "id": str(number)},
                "attrs": {
                    "classifications": sorted(clearance.classifications),
                    "special": sorted(clearance.categories.get("Special Category Designators", ())),
                    "releasable": sorted(clearance.categories.get("Releasable To", ())),
                },
                "parents": [],
            }
        )
        entities.append(
            {
                "uid": {"type": "Document", "id": str(number)},
                "attrs": {
                    "classification": label.classification,
                    "special": sorted(
                        label.category("Special Category Designators", TagKind.RESTRICTIVE) or ()
                    ),
                    "releasable": sorted(label.category("Releasable To", TagKind.PERMISSIVE) or ()),
                },
                "parents": [],
            }
        )
    return entities


def run() -> None:
    cases = _cases(random.Random(4774))
    policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)
    entities = cedarpy.Entities.from_json_str(__import__("json").dumps(_cedar_entities(cases)))
    requests = [
        {
            "principal": f'Reader::"{n}"',
            "action": 'Action::"read"',
            "resource": f'Document::"{n}"',
            "context": {},
        }
        for n in range(CASES)
    ]

    started = time.perf_counter()
    cedar = [r.allowed for r in cedarpy.is_authorized_batch(requests, policies, entities)]
    cedar_rate = CASES / (time.perf_counter() - started)

    started = time.perf_counter()
    ours = [decide(NATO, label, clearance).granted for label, clearance in cases]
    uncached_rate = CASES / (time.perf_counter() - started)
    assert ours == cedar, "Liaison and Cedar disagree on the rule"

    # The cached path, as visible() uses it: one memo per clearance, then a set lookup.
    memo: dict[tuple[str, int], bool] = {}
    for number, (_, clearance) in enumerate(cases):
        memo[(clearance_key(clearance), number)] = ours[number]
    keys = [clearance_key(clearance) for _, clearance in cases]
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for number in range(CASES):
            memo[(keys[number], number)]
    cached_rate = rounds * CASES / (time.perf_counter() - started)

    report(
        f"Access decisions on {CASES:,} random label/clearance pairs (both agree on every one)",
        [
            ("Cedar (cedarpy, batch)", f"{cedar_rate:,.0f} decisions/s"),
            (
                "Liaison uncached decide()",
                f"{uncached_rate:,.0f} decisions/s = "
                f"{uncached_rate / cedar_rate:,.0f}x Cedar (target >= 10x)",
            ),
            (
                "Liaison cached",
                f"{cached_rate:,.0f} decisions/s = "
                f"{cached_rate / cedar_rate:,.0f}x Cedar (target >= 100x)",
            ),
            ("granted", f"{sum(ours)} of {CASES}"),
        ],
    )


if __name__ == "__main__":
    run()
