"""``python -m fixer``: the same command as ``guardfix``."""

from fixer.cli import main

if __name__ == "__main__":
    main()
