"""The Door of this Lambda container: built once, on the first record, and kept for the container's life.

Built lazily so that importing the handler (the cold start that is ours) stays light, and tests hand in a
Door over fakes or moto with ``set_door``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartdoor.services.context import Door

_door: Door | None = None


def get_door() -> Door:
    global _door
    if _door is None:
        from smartdoor.bootstrap import build_aws  # type: ignore[attr-defined]  # lands with the AWS bootstrap
        from smartdoor.config import Settings

        _door = build_aws(Settings.from_env(os.environ))
    assert _door is not None
    return _door


def set_door(door: Door | None) -> None:
    """Use this Door from now on (None: build one from the environment on the next record)."""
    global _door
    _door = door
