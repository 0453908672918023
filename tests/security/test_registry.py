"""The policy registry."""

import pytest

from liaison.security import PolicyError, PolicyRegistry, load_policy

from .helpers import REFERENCE, TABLE17


def test_builtin_policies_by_every_identifier(registry: PolicyRegistry) -> None:
    nato = registry.require("NATO")
    assert registry.get("1.3.26.1.3.1") is nato
    assert registry.get("urn:oid:1.3.26.1.3.1") is nato
    assert registry.get(" NATO ") is nato
    assert {p.name for p in registry} == {"NATO", "DEMO-GBR"}
    assert len(registry) == 2
    assert registry.get("nato") is None


def test_unknown_policy(registry: PolicyRegistry) -> None:
    with pytest.raises(PolicyError, match="unknown policy 'ATLANTIS'"):
        registry.require("ATLANTIS")


def test_clashing_policies_are_refused(registry: PolicyRegistry) -> None:
    other_nato = load_policy(TABLE17 / "nato-4774-policy.xml")
    with pytest.raises(PolicyError, match="clashes with NATO"):
        PolicyRegistry([*registry, other_nato])
    both = PolicyRegistry([load_policy(REFERENCE / "public-policy-v1.spif.xml"), other_nato])
    assert both.require("PUBLIC").id == "1.3.6.1.4.1.31778.12.2.1"


def test_registry_decides_under_the_labels_own_policy(registry: PolicyRegistry) -> None:
    from liaison.security import Clearance, Label

    secret = Label("DEMO-GBR", "SECRET")
    assert registry.decide(secret, Clearance("DEMO-GBR", frozenset({"SECRET"})))
    assert not registry.decide(secret, Clearance("NATO", frozenset({"SECRET"})))
