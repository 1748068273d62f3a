"""What indexes say, as values: simple-index pages (PEP 691/503), core metadata, and where
packages come from (index settings merged into one `NetConfig`).
"""
