"""A project's inputs as values: requirements, settings, layers, the environment matrix's
sources, and conversion between pyproject.toml and requirements/*.in.
"""
