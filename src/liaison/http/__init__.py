"""What the HTTP transports (API and web) share: the caller, the node, observability, headers."""
