"""The index client: HTTP, the persistent cache, archives, sdist builds, pip's
configuration, and the repository that wires them for the resolver.
"""
