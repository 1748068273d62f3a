"""The edges: each module owns one kind of I/O and imports only the core (and other
edges). Nothing here decides what a lock contains.
"""
