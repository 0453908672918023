"""Errors raised by the security package; each is a ValueError whose message names the fault."""


class PolicyError(ValueError):
    """A security policy (SPIF) could not be read, or breaks the XML-SPIF rules."""


class LabelError(ValueError):
    """A confidentiality label could not be read, or is not valid under its policy."""


class ClearanceError(ValueError):
    """A clearance could not be read, or names something its policy does not have."""


class EquivalenceError(ValueError):
    """A label has no equivalent under another policy."""


class RollupError(LabelError):
    """Labelled portions cannot be combined into one overall label."""
