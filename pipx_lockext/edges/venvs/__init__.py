"""Interpreters, virtual environments and child processes."""
