"""The SMARTDOOR_* variables of a function, named from smartdoor.config so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import fields

from smartdoor.config import PREFIX, Settings

_NAMES = frozenset(f.name for f in fields(Settings))


def door_environment(**values: str) -> dict[str, str]:
    """``door_environment(photo_bucket=...)`` -> ``{"SMARTDOOR_PHOTO_BUCKET": ...}``; an unknown setting is
    refused, so a typo fails the synth instead of leaving a Lambda on its default."""
    unknown = sorted(set(values) - _NAMES)
    if unknown:
        raise ValueError(f"no such setting in smartdoor.config: {', '.join(unknown)}")
    return {PREFIX + name.upper(): value for name, value in values.items()}
