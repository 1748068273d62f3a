"""The project's folder: reading input files, writing files atomically, the project lock,
and the freshness stamp.
"""
