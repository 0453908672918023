"""Machine translation of messages, through an engine the node's operator chooses (or none)."""
