"""Adapters: the ports implemented for memory (fakes), the local machine and AWS."""
