"""The command line (shell): options, rendering of results, exit codes. The only place
that prints or exits.
"""
