"""`python -m fixer` runs the `outplace` command line."""

from fixer.cli import main

main()
