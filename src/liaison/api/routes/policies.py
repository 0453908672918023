"""Security policies and labels: what a label picker needs, and label rendering and validation."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from liaison.domain.errors import Invalid
from liaison.http.deps import Caller, ReadSession
from liaison.queries.policies import get_policy, list_policies
from liaison.security import (
    Label,
    LabelError,
    MarkingLocation,
    Policy,
    PolicyRegistry,
    canonicalize,
    label_from_json,
    label_from_xml,
    label_hash,
    label_problems,
    label_to_json,
    render_marking,
)
from liaison.security.labels_xml import MAX_LABEL_BYTES
from liaison.store.labels import authority_of

router = APIRouter(tags=["policies and labels"])


class PolicySummary(BaseModel):
    name: str
    id: str
    version: str | None


class ClassificationOut(BaseModel):
    name: str
    lacv: int
    hierarchy: int
    marking: dict[str, str]


class TagOut(BaseModel):
    name: str
    kind: str
    values: list[str]


class TagSetOut(BaseModel):
    name: str
    id: str
    tags: list[TagOut]


class PolicyOut(PolicySummary):
    classifications: list[ClassificationOut]
    tag_sets: list[TagSetOut]


class LabelInput(BaseModel):
    """A label as its canonical JSON (`label`) or as STANAG 4774 XML (`xml`)."""

    label: dict[str, Any] | None = None
    xml: str | None = Field(default=None, max_length=MAX_LABEL_BYTES)
    lang: Literal["en", "fr"] = "en"
    location: MarkingLocation = MarkingLocation.PAGE

    @model_validator(mode="after")
    def _exactly_one(self) -> LabelInput:
        if (self.label is None) == (self.xml is None):
            raise ValueError("give the label either as 'label' (JSON) or as 'xml', not both")
        return self


class Rendered(BaseModel):
    marking: str
    lang: str
    location: MarkingLocation


class Validation(BaseModel):
    valid: bool
    problems: list[str]
    label: dict[str, Any] | None
    hash: str | None
    marking: str | None


@router.get("/policies")
def policies(caller: Caller, session: ReadSession) -> list[PolicySummary]:
    return [PolicySummary(name=p.name, id=p.id, version=p.version) for p in list_policies(session)]


@router.get("/policies/{identifier}")
def policy(identifier: str, caller: Caller, session: ReadSession) -> PolicyOut:
    return _policy_out(get_policy(session, identifier))


@router.post("/labels/render")
def render(body: LabelInput, caller: Caller, session: ReadSession) -> Rendered:
    policy, label = _resolve(body, authority_of(session).registry)
    problems = list(label_problems(policy, label))
    if problems:
        raise Invalid(f"invalid label: {problems[0]}", field="label")
    marking = render_marking(policy, label, lang=body.lang, location=body.location)
    return Rendered(marking=marking, lang=body.lang, location=body.location)


@router.post("/labels/validate")
def validate(body: LabelInput, caller: Caller, session: ReadSession) -> Validation:
    try:
        policy, label = _resolve(body, authority_of(session).registry)
    except Invalid as error:
        return Validation(valid=False, problems=[str(error)], label=None, hash=None, marking=None)
    problems = list(label_problems(policy, label))
    if problems:
        return Validation(valid=False, problems=problems, label=None, hash=None, marking=None)
    return Validation(
        valid=True,
        problems=[],
        label=label_to_json(label),
        hash=label_hash(label),
        marking=render_marking(policy, label, lang=body.lang, location=body.location),
    )


def _resolve(body: LabelInput, registry: PolicyRegistry) -> tuple[Policy, Label]:
    try:
        if body.xml is not None:
            label = label_from_xml(body.xml, registry)
        else:
            label = label_from_json(body.label or {})
    except LabelError as error:
        raise Invalid(str(error), field="label") from None
    policy = registry.get(label.policy)
    if policy is None:
        raise Invalid(f"unknown policy {label.policy!r}", field="label")
    return policy, canonicalize(policy, label)


def _policy_out(policy: Policy) -> PolicyOut:
    classifications = [
        ClassificationOut(
            name=c.name,
            lacv=c.lacv,
            hierarchy=c.hierarchy,
            marking={
                lang: render_marking(policy, Label(policy.name, c.name), lang=lang)
                for lang in ("en", "fr")
            },
        )
        for c in sorted(policy.classifications, key=lambda c: c.hierarchy)
        if not c.obsolete
    ]
    tag_sets = [
        TagSetOut(
            name=tag_set.name,
            id=tag_set.id,
            tags=[
                TagOut(
                    name=tag.name,
                    kind=tag.kind.value,
                    values=[c.name for c in tag.categories if not c.obsolete],
                )
                for tag in tag_set.tags
            ],
        )
        for tag_set in policy.tag_sets
    ]
    return PolicyOut(
        name=policy.name,
        id=policy.id,
        version=policy.version,
        classifications=classifications,
        tag_sets=tag_sets,
    )
