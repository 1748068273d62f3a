"""reqlock: layered, hash-pinned, multi-Python lock files for pip users.

The package is built in three rings (see STYLE.md): a pure core that takes and returns
values, edges that each own one kind of I/O, and a shell (use cases, then the click CLI)
that wires them. This module must stay import-light: `python -m pipx_lockext` and the
`check` command start from here.
"""

__version__ = "0.1.0"
