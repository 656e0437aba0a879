"""`smartdoor enroll` refuses photos of different people as one visitor, naming the odd photo out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import build_local
from smartdoor.config import Settings
from smartdoor.server.enroll import enroll_from_photos
from tests.api.conftest import START

pytestmark = pytest.mark.integration


def enroll(tmp_path: Path, photos: list[Path]) -> tuple[int, str, int]:
    """Exit status, what it said, and how many visitors the data folder then has."""
    local = build_local(Settings(data_dir=tmp_path / "data"), clock=ManualClock(START))
    out = io.StringIO()
    try:
        code = enroll_from_photos(local, "Barack", "+12025550123", photos, out=out)
        return code, out.getvalue(), len(local.door.visitors.list(10, None).items)
    finally:
        local.close()


def test_the_odd_photo_out_is_named_and_nobody_is_enrolled(tmp_path: Path, testdata: Path) -> None:
    faces = testdata / "faces" / "faces"
    photos = [
        faces / "obama" / "fr_obama.jpg",
        faces / "biden" / "fr_biden.jpg",
        faces / "obama" / "fr_obama2.jpg",
    ]
    code, said, visitors = enroll(tmp_path, photos)
    assert code == 2
    assert "fr_biden.jpg does not show the same person as the other photos" in said
    assert "fr_obama.jpg" not in said.split("Not enrolled:")[1]
    assert visitors == 0


def test_two_photos_of_two_people_are_both_named(tmp_path: Path, testdata: Path) -> None:
    faces = testdata / "faces" / "faces"
    code, said, visitors = enroll(
        tmp_path, [faces / "obama" / "fr_obama.jpg", faces / "biden" / "fr_biden.jpg"]
    )
    assert code == 2
    assert "fr_obama.jpg and fr_biden.jpg do not show the same person" in said
    assert visitors == 0


def test_photos_of_one_person_are_enrolled_together(tmp_path: Path, testdata: Path) -> None:
    obama = testdata / "faces" / "faces" / "obama"
    code, said, visitors = enroll(
        tmp_path, [obama / "fr_obama.jpg", obama / "fr_obama2.jpg", obama / "fr_obama3.jpg"]
    )
    assert (code, visitors) == (0, 1)
    assert "from 3 photo(s)" in said
