"""Core: no Qt here."""
