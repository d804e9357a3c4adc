"""Files: reading and walking them, the cache, settings, and running the engine over them."""
