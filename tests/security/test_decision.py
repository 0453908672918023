"""The access decision: each rule of DESIGN.md tried by an adversary, and its properties."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from liaison.security import (
    Clearance,
    Decision,
    Label,
    LabelCategory,
    Policy,
    PolicyRegistry,
    TagKind,
    decide,
    label_problem,
)

from .helpers import ADMIN, RELEASABLE, SCD, label
from .strategies import clearances, kinds, valid_labels

ALL = frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"})


def clearance(classes: frozenset[str] = ALL, policy: str = "NATO", **held: set[str]) -> Clearance:
    names = {"releasable": RELEASABLE, "scd": SCD, "admin": ADMIN}
    return Clearance(policy, classes, {names[k]: frozenset(v) for k, v in held.items()})


SECRET_REL_GBR = label(
    "SECRET",
    (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA"}),
    (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}),
)
BRITISH_ATOMAL = clearance(releasable={"GBR"}, scd={"ATOMAL"})


def test_grant_when_every_rule_passes(nato: Policy) -> None:
    assert decide(nato, SECRET_REL_GBR, BRITISH_ATOMAL) == Decision(True, "granted")


def test_unknown_policy_is_denied(nato: Policy, registry: PolicyRegistry) -> None:
    foreign = label("SECRET", policy="ATLANTIS")
    assert not decide(nato, foreign, BRITISH_ATOMAL)
    decision = registry.decide(foreign, BRITISH_ATOMAL)
    assert decision == Decision(False, "unknown policy 'ATLANTIS'")


def test_label_of_another_known_policy_is_denied(nato: Policy) -> None:
    decision = decide(nato, label("SECRET", policy="DEMO-GBR"), BRITISH_ATOMAL)
    assert decision.reason == "label policy 'DEMO-GBR' is not NATO"


def test_clearance_of_another_policy_is_denied(nato: Policy) -> None:
    decision = decide(nato, SECRET_REL_GBR, clearance(policy="DEMO-GBR", releasable={"GBR"}))
    assert decision.reason == "clearance policy 'DEMO-GBR' is not NATO"


def test_policy_may_be_named_by_oid(nato: Policy) -> None:
    by_oid = Label("urn:oid:1.3.26.1.3.1", "SECRET", SECRET_REL_GBR.categories)
    assert decide(nato, by_oid, BRITISH_ATOMAL)


def test_unknown_classification_is_denied(nato: Policy) -> None:
    decision = decide(nato, label("ULTRA"), clearance())
    assert decision.reason == "invalid label: unknown classification 'ULTRA' in policy NATO"


def test_unheld_classification_is_denied(nato: Policy) -> None:
    decision = decide(
        nato, SECRET_REL_GBR, clearance(ALL - {"SECRET"}, releasable={"GBR"}, scd={"ATOMAL"})
    )
    assert decision.reason == "classification 'SECRET' is not held"


def test_classification_is_a_set_not_a_ceiling(nato: Policy) -> None:
    # Holding TOP SECRET alone does not imply holding SECRET: the clearance lists what it holds.
    only_top = clearance(frozenset({"TOP SECRET"}), releasable={"GBR"}, scd={"ATOMAL"})
    assert not decide(nato, SECRET_REL_GBR, only_top)


def test_missing_restrictive_category_is_denied(nato: Policy) -> None:
    decision = decide(nato, SECRET_REL_GBR, clearance(releasable={"GBR"}))
    assert decision.reason == "Special Category Designators ['ATOMAL'] not held"


def test_every_restrictive_value_must_be_held(nato: Policy) -> None:
    two = label("SECRET", (SCD, TagKind.RESTRICTIVE, {"ATOMAL", "CRYPTO"}))
    assert not decide(nato, two, clearance(scd={"ATOMAL"}))
    assert decide(nato, two, clearance(scd={"ATOMAL", "CRYPTO"}))


def test_releasability_miss_is_denied(nato: Policy) -> None:
    decision = decide(nato, SECRET_REL_GBR, clearance(releasable={"DEU", "NATO"}, scd={"ATOMAL"}))
    assert decision.reason == "none of Releasable To ['FRA', 'GBR'] is held"


def test_one_releasable_value_is_enough(nato: Policy) -> None:
    assert decide(nato, SECRET_REL_GBR, clearance(releasable={"FRA"}, scd={"ATOMAL"}))


def test_empty_releasability_releases_to_no_one(nato: Policy) -> None:
    nobody = label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, set()))
    everything = clearance(releasable=set(nato.index.categories[(RELEASABLE, TagKind.PERMISSIVE)]))
    assert not decide(nato, nobody, everything)


def test_informative_categories_never_decide(nato: Policy) -> None:
    staff = label("SECRET", (ADMIN, TagKind.INFORMATIVE, {"STAFF", "MEDICAL"}))
    assert decide(nato, staff, clearance())
    assert decide(nato, staff, clearance(admin={"PERSONAL"}))


def test_a_label_cannot_pass_a_restrictive_set_off_as_informative(nato: Policy) -> None:
    disguised = label("SECRET", (SCD, TagKind.INFORMATIVE, {"ATOMAL"}))
    decision = decide(nato, disguised, clearance())
    assert (
        decision.reason
        == "invalid label: tag set 'Special Category Designators' has no informative categories"
    )


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (label("SECRET", ("Nicknames", TagKind.RESTRICTIVE, {"X"})), "unknown tag set 'Nicknames'"),
        (
            label("SECRET", (SCD, TagKind.RESTRICTIVE, {"ULTRA"})),
            "unknown value 'ULTRA' in tag set",
        ),
        (
            label("UNCLASSIFIED", (SCD, TagKind.RESTRICTIVE, {"ATOMAL"})),
            "'ATOMAL' in 'Special Category Designators' is excluded at classification "
            "'UNCLASSIFIED'",
        ),
        (
            label("TOP SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"KFOR"})),
            "'KFOR' in 'Releasable To' is excluded at classification 'TOP SECRET'",
        ),
    ],
)
def test_invalid_label_is_denied_with_reason(nato: Policy, bad: Label, reason: str) -> None:
    everything = Clearance(
        "NATO", ALL, {t: frozenset(v) for (t, _), v in nato.index.categories.items()}
    )
    decision = decide(nato, bad, everything)
    assert not decision.granted
    assert reason in decision.reason


@pytest.mark.parametrize("junk", [None, "SECRET", 42])
def test_malformed_input_is_denied(nato: Policy, junk: object) -> None:
    decision = decide(nato, junk, BRITISH_ATOMAL)  # type: ignore[arg-type]
    assert not decision.granted
    assert decision.reason.startswith("malformed input")
    assert not decide(nato, SECRET_REL_GBR, junk)  # type: ignore[arg-type]


def test_rules_of_other_spifs_are_checked(uk_demo: Policy) -> None:
    # uk-demo: SENSITIVE needs exactly one Sensitive Descriptor; LOCSEN excludes the informative
    # descriptors; the informative tag allows a single value.
    sensitive = ("Sensitive", TagKind.RESTRICTIVE, {"SENSITIVE"})
    alone = label("OFFICIAL", sensitive, policy="UK")
    assert "requires exactly one of" in (label_problem(uk_demo, alone) or "")
    crowded = label(
        "OFFICIAL",
        sensitive,
        ("Sensitive Descriptors", TagKind.RESTRICTIVE, {"LOCSEN"}),
        ("Sensitive Descriptors", TagKind.INFORMATIVE, {"COMMERCIAL", "PERSONAL"}),
        policy="UK",
    )
    problems = " | ".join(p for p in _all_problems(uk_demo, crowded))
    assert (
        "'LOCSEN' in 'Sensitive Descriptors' cannot be combined with any value of informative"
        in problems
    )
    assert "allows at most 1 value(s)" in problems
    eyes_only = label("OFFICIAL", ("National Caveats", TagKind.PERMISSIVE, {"UK"}), policy="UK")
    assert "excluded at classification 'OFFICIAL'" in (label_problem(uk_demo, eyes_only) or "")


def _all_problems(policy: Policy, bad: Label) -> list[str]:
    from liaison.security import label_problems

    return list(label_problems(policy, bad))


# Properties: whatever the label and clearance, tightening a label never grants more.


@given(data=st.data())
def test_raising_the_classification_never_grants_more(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(valid_labels(nato))
    held = data.draw(clearances(nato))
    higher = data.draw(
        st.sampled_from(
            [
                c.name
                for c in nato.classifications
                if c.hierarchy > nato.index.classes_by_name[original.classification].hierarchy
            ]
            or [original.classification]
        )
    )
    raised = Label(original.policy, higher, original.categories)
    if decide(nato, raised, held):
        assert decide(nato, original, held)


@given(data=st.data())
def test_adding_a_restrictive_value_never_grants_more(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(valid_labels(nato))
    held = data.draw(clearances(nato))
    value = data.draw(st.sampled_from(sorted(nato.index.categories[(SCD, TagKind.RESTRICTIVE)])))
    tighter = Label(
        original.policy,
        original.classification,
        (*original.categories, LabelCategory(SCD, TagKind.RESTRICTIVE, frozenset({value}))),
    )
    if decide(nato, tighter, held):
        assert decide(nato, original, held)


@given(data=st.data())
def test_narrowing_releasability_never_grants_more(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(valid_labels(nato))
    permissive = kinds(original, TagKind.PERMISSIVE)
    assume(permissive)
    held = data.draw(clearances(nato))
    target = permissive[0]
    kept = data.draw(
        st.frozensets(st.sampled_from(sorted(target.values)), max_size=len(target.values) - 1)
    )
    others = tuple(c for c in original.categories if c != target)
    narrower = Label(
        original.policy,
        original.classification,
        (*others, LabelCategory(target.tag_set, TagKind.PERMISSIVE, kept)),
    )
    if decide(nato, narrower, held):
        assert decide(nato, original, held)


@given(data=st.data())
def test_informative_values_never_change_the_decision(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(valid_labels(nato))
    held = data.draw(clearances(nato))
    without = Label(
        original.policy,
        original.classification,
        tuple(c for c in original.categories if c.kind is not TagKind.INFORMATIVE),
    )
    assert decide(nato, original, held).granted == decide(nato, without, held).granted


def test_classification_and_selection_rules() -> None:
    from liaison.security import load_policy

    from .helpers import DATA

    rules = load_policy(DATA / "rules.spif.xml")

    def problems(classification: str, *values: str) -> list[str]:
        handling = ("Handling", TagKind.RESTRICTIVE, set(values))
        return _all_problems(rules, label(classification, handling, policy="RULES"))

    assert problems("HIGH", "BURN", "SHRED") == []
    assert problems("HIGH") == [
        "classification 'HIGH' requires one or more of "
        "[any value of restrictive tag set 'Handling']"
    ]
    assert problems("LOW", "BURN") == ["tag 'Handling' needs at least 2 values"]
    assert problems("LOW", "BURN", "SHRED", "VAULT", "DESK") == [
        "'VAULT' in 'Handling' requires classification 'HIGH'",
        "tag 'Handling' allows at most 3 value(s)",
    ]
