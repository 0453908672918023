"""Security labels, clearances and access decisions (STANAG 4774 labels, XML-SPIF policies).

Pure rules, no I/O beyond reading a policy or label handed in. See DESIGN.md, "The one rule".
"""

from liaison.security.canonical import (
    canonical_json,
    canonicalize,
    label_from_json,
    label_hash,
    label_to_json,
)
from liaison.security.clearance import clearance_from_json, clearance_key, clearance_to_json
from liaison.security.decision import decide
from liaison.security.equivalence import translate
from liaison.security.errors import (
    ClearanceError,
    EquivalenceError,
    LabelError,
    PolicyError,
    RollupError,
)
from liaison.security.labels_xml import LabelRoot, ValueEncoding, label_from_xml, label_to_xml
from liaison.security.marking import MarkingLocation, render_marking
from liaison.security.model import (
    Clearance,
    Decision,
    Label,
    LabelCategory,
    Originator,
    TagKind,
)
from liaison.security.policy import Policy
from liaison.security.registry import PolicyRegistry, builtin_registry
from liaison.security.rollup import rollup
from liaison.security.spif import load_policy
from liaison.security.validity import label_problem, label_problems

__all__ = [
    "Clearance",
    "ClearanceError",
    "Decision",
    "EquivalenceError",
    "Label",
    "LabelCategory",
    "LabelError",
    "LabelRoot",
    "MarkingLocation",
    "Originator",
    "Policy",
    "PolicyError",
    "PolicyRegistry",
    "RollupError",
    "TagKind",
    "ValueEncoding",
    "builtin_registry",
    "canonical_json",
    "canonicalize",
    "clearance_from_json",
    "clearance_key",
    "clearance_to_json",
    "decide",
    "label_from_json",
    "label_from_xml",
    "label_hash",
    "label_problem",
    "label_problems",
    "label_to_json",
    "label_to_xml",
    "load_policy",
    "render_marking",
    "rollup",
    "translate",
]
