"""The `outplace` command line: its commands, and the text and machine formats it prints."""
