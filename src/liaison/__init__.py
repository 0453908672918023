"""Liaison: a self-hosted platform for military liaison offices."""

__version__ = "0.1.0"
