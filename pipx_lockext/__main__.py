"""`python -m pipx_lockext` is the same as the `reqlock` command."""

from pipx_lockext.cli.launcher import main

if __name__ == "__main__":
    main()
