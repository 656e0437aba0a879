"""The Door of a Lambda container (the AppSync resolvers' and the stream handler's alike): settings read once,
the Door built once, on the first invocation.

The AWS wiring lives in smartdoor.bootstrap.build_aws; it is imported only when a Door is first needed, so
importing a handler (the part of a cold start that is ours) builds nothing, and every test that injects its
own Door with ``set_door`` builds nothing either.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from functools import cache
from typing import cast

from smartdoor.config import Settings
from smartdoor.services.context import Door

_door: Door | None = None


@cache
def settings() -> Settings:
    """The SMARTDOOR_* variables the CDK app sets on the function, read once per container."""
    return Settings.from_env(os.environ)


def get_door() -> Door:
    global _door
    if _door is None:
        _door = _build(settings())
    return _door


def set_door(door: Door | None) -> None:
    """Use this Door (tests: one over the memory fakes); None builds the real one again when next asked."""
    global _door
    _door = door


def _build(current: Settings) -> Door:
    # Looked up at call time, not imported at the top: importing the bootstrap's AWS side is the cold start's
    # cost, paid only by a container that serves a request.
    bootstrap = importlib.import_module("smartdoor.bootstrap")
    build_aws = cast(Callable[[Settings], object], bootstrap.build_aws)
    built = build_aws(current)
    # build_aws may hand back the Door itself or a bundle that carries it (as build_local's LocalDoor does).
    door = built if isinstance(built, Door) else getattr(built, "door", None)
    if not isinstance(door, Door):
        raise TypeError("smartdoor.bootstrap.build_aws returned no Door")
    return door
