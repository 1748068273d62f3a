"""The use cases (shell): each wires edges around the core for one command and returns a
result value. Nothing here prints or exits.
"""
