"""Shared fixtures: the project's policies, and reference policies from ../shared."""

import pytest

from liaison.security import Policy, PolicyRegistry, builtin_registry, load_policy

from .helpers import TABLE17


@pytest.fixture(scope="session")
def registry() -> PolicyRegistry:
    return builtin_registry()


@pytest.fixture(scope="session")
def nato(registry: PolicyRegistry) -> Policy:
    return registry.require("NATO")


@pytest.fixture(scope="session")
def demo(registry: PolicyRegistry) -> Policy:
    return registry.require("DEMO-GBR")


@pytest.fixture(scope="session")
def table17_policy() -> Policy:
    return load_policy(TABLE17 / "nato-4774-policy.xml")


@pytest.fixture(scope="session")
def uk_demo() -> Policy:
    return load_policy(TABLE17 / "uk-demo.xml")
