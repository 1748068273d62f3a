"""What indexes say, as values: simple-index pages (PEP 691/503), core metadata, where
packages come from (index settings merged into one `NetConfig`), and `Source`, the one
protocol through which the core reads them.
"""
