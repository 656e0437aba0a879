"""Which enrolment photos are the odd ones out: the fewest matches, every one of them on a tie."""

from __future__ import annotations

import numpy as np
import pytest

from smartdoor.vision.same_person import odd_ones_out

pytestmark = pytest.mark.unit

ADA = np.zeros(128, np.float32)
ADA_AGAIN = ADA + 0.02  # distance 0.23: the same person at 0.55
EVE = ADA + 0.1  # distance 1.13 from Ada: someone else


def test_one_person_in_every_photo() -> None:
    assert odd_ones_out([ADA, ADA_AGAIN, ADA], 0.55) == []
    assert odd_ones_out([ADA], 0.55) == []


def test_the_stranger_among_three_is_named() -> None:
    assert odd_ones_out([ADA, EVE, ADA_AGAIN], 0.55) == [1]


def test_two_photos_that_disagree_are_both_named() -> None:
    assert odd_ones_out([ADA, EVE], 0.55) == [0, 1]
