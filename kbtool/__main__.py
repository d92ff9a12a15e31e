"""`python -m kbtool`."""

from __future__ import annotations

from kbtool.cli import main

if __name__ == "__main__":
    main()
