"""The pure core: source text in, findings and fixed text out. No I/O, no printing."""
