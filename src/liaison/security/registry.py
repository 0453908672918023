"""The policies a node knows, found by name, OID or "urn:oid:" URI."""

from collections.abc import Iterable, Iterator
from importlib.resources import as_file, files

from liaison.security.decision import decide
from liaison.security.errors import PolicyError
from liaison.security.model import Clearance, Decision, Label
from liaison.security.policy import Policy
from liaison.security.spif import load_policy

BUILTIN_POLICY_FILES = ("nato.spif.xml", "demo-national.spif.xml")


class PolicyRegistry:
    """Policies by every identifier they answer to; no two may share one."""

    def __init__(self, policies: Iterable[Policy] = ()) -> None:
        self._policies: list[Policy] = []
        self._by_identifier: dict[str, Policy] = {}
        for policy in policies:
            self.add(policy)

    def add(self, policy: Policy) -> None:
        for identifier in policy.index.identifiers:
            known = self._by_identifier.get(identifier)
            if known is not None:
                raise PolicyError(
                    f"policy {policy.name} ({policy.id}) clashes with {known.name} ({known.id}) "
                    f"on {identifier!r}"
                )
        self._policies.append(policy)
        self._by_identifier.update(dict.fromkeys(policy.index.identifiers, policy))

    def get(self, identifier: str) -> Policy | None:
        """The policy named or identified by `identifier`, or None."""
        return self._by_identifier.get(identifier.strip())

    def require(self, identifier: str) -> Policy:
        """The policy named or identified by `identifier`; PolicyError if there is none."""
        policy = self.get(identifier)
        if policy is None:
            raise PolicyError(f"unknown policy {identifier!r}")
        return policy

    def decide(self, label: Label, clearance: Clearance) -> Decision:
        """`decide` under the label's own policy, denying when that policy is unknown."""
        policy = self.get(label.policy)
        if policy is None:
            return Decision(False, f"unknown policy {label.policy!r}")
        return decide(policy, label, clearance)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self._policies)

    def __len__(self) -> int:
        return len(self._policies)


def builtin_registry() -> PolicyRegistry:
    """A registry of the policies shipped with Liaison (in `liaison/security/policies/`)."""
    folder = files("liaison.security").joinpath("policies")
    registry = PolicyRegistry()
    for name in BUILTIN_POLICY_FILES:
        with as_file(folder.joinpath(name)) as path:
            registry.add(load_policy(path))
    return registry
