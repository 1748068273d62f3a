"""The pure core: takes values and returns values. Imports nothing from `edges`,
`commands` or `cli`, and no module that does I/O (a test holds it to that).
"""
