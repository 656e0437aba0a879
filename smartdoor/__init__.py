"""Smart Door: a door that knows its visitors."""
