"""Face descriptors: the 128 numbers dlib's encoder gives a face, checked wherever one enters the door.

A descriptor of any other length cannot be compared with the others, so one stored by mistake would break
every search that follows; hence the same check at the edge (decoding a record) and in the index.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from smartdoor.domain.errors import BadFaceEvent

DESCRIPTOR_LENGTH = 128


def _as_floats(values: Iterable[object]) -> list[float] | str:
    floats = []
    for value in values:
        # numbers.Real also covers numpy's float32, which is what the analyser hands over.
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return "holds something that is not a number"
        floats.append(float(value))
    if len(floats) != DESCRIPTOR_LENGTH:
        return f"has {len(floats)} values; a face descriptor has {DESCRIPTOR_LENGTH}"
    if not all(math.isfinite(v) for v in floats):
        return "holds a value that is not finite"
    return floats


def descriptor_problem(values: Iterable[object]) -> str | None:
    """Why these values are not a face descriptor, or None when they are one."""
    floats = _as_floats(values)
    return floats if isinstance(floats, str) else None


def checked_descriptor(values: Iterable[object], where: str = "Descriptor") -> tuple[float, ...]:
    """The values as a descriptor; BadFaceEvent naming ``where`` when they are not one."""
    floats = _as_floats(values)
    if isinstance(floats, str):
        raise BadFaceEvent(f"{where} {floats}")
    return tuple(floats)
