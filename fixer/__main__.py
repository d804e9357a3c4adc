"""`python -m fixer` runs the `outplace` command line."""

from fixer.cli.app import main

main()
