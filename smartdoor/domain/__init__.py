"""The pure rules of the door: no I/O, no clock, no framework."""
