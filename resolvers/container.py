"""The Door of this Lambda container: the one holder both Lambdas share, smartdoor.edges.lambda_door."""

from __future__ import annotations

from smartdoor.edges.lambda_door import get_door, set_door, settings

__all__ = ["get_door", "set_door", "settings"]
