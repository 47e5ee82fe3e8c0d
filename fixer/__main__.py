"""``python -m fixer``: the same command as ``guardfix`` (the warm path first, see fixer.warm)."""

from fixer.warm import main

if __name__ == "__main__":
    main()
