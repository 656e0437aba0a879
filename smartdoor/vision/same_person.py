"""Do several photos show one person? Every pair of descriptors compared at the search's 'known' distance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def odd_ones_out(descriptors: Sequence[npt.ArrayLike], known_distance: float) -> list[int]:
    """Indexes of the photos that match the fewest others; empty when every pair is the same person.

    With two photos that disagree, or any tie, every photo with the fewest matches is named: there is no
    majority to say which of them is the stranger.
    """
    if len(descriptors) < 2:
        return []
    rows = np.stack([np.asarray(d, dtype=np.float32) for d in descriptors])
    distances = np.linalg.norm(rows[:, None, :] - rows[None, :, :], axis=2)
    same = distances <= known_distance
    if bool(same.all()):
        return []
    matches = same.sum(axis=1) - 1  # each photo matches itself
    return [int(i) for i in np.flatnonzero(matches == matches.min())]
