"""Lock files as values: the format (rendering and parsing back), the input digest, and
the freshness of a project's set of locks.
"""
