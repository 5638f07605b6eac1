"""Pluggable screening signals and the hooks that keep their index spaces in sync."""
