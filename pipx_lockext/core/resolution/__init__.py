"""Resolution: the resolvelib provider, the per-environment resolver, the merge of
per-environment results into marked pins, and lock values built from them.
"""
