"""In-memory adapters: fakes with inspection helpers for tests, and simple enough to trust."""
