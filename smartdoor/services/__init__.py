"""The use cases: each flow of DESIGN.md as functions over a Door (ports + rules)."""
