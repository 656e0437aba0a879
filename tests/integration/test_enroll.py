"""`smartdoor enroll`: one face per photo, clear errors for the others, a visitor the camera then knows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import build_local
from smartdoor.config import Settings
from smartdoor.domain.model import FaceOwner
from smartdoor.server.cli import main
from smartdoor.server.enroll import enroll_from_photos
from smartdoor.server.startup import EXIT_DATA_FOLDER
from tests.api.conftest import START

pytestmark = pytest.mark.integration


def test_enroll_reports_each_unusable_photo(tmp_path: Path, testdata: Path) -> None:
    local = build_local(Settings(data_dir=tmp_path / "data"), clock=ManualClock(START))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 definitely not a whole jpeg")
    photos = [
        testdata / "faces" / "faces" / "biden" / "fr_biden.jpg",
        testdata / "faces" / "noface" / "sk_rocket.jpg",
        testdata / "faces" / "multi" / "fr_two_people.jpg",
        broken,
        tmp_path / "missing.jpg",
    ]
    out = io.StringIO()
    try:
        assert enroll_from_photos(local, "Joe", "+12025550123", photos, out=out) == 3  # enrolled, with skips
        text = out.getvalue()
        assert "5/5" in text  # the progress bar reached the end
        assert "sk_rocket.jpg: no face found" in text
        assert "fr_two_people.jpg: 2 faces found; use a photo of this visitor alone" in text
        assert "broken.jpg: the image is corrupt or truncated" in text
        assert "missing.jpg: cannot read it" in text
        [visitor] = local.door.visitors.list(10, None).items
        assert (visitor.name, visitor.phone_number, len(visitor.photos)) == ("Joe", "+12025550123", 1)
        assert f"Enrolled Joe ({visitor.id}, +1 202-555-0123) from 1 photo(s)." in text  # as dialled
        owned = local.door.owners.get(visitor.face_id)
        assert owned is not None
        assert owned.owner == FaceOwner.visitor(visitor.id)
    finally:
        local.close()


def test_enroll_command_with_no_usable_photo_enrols_nobody(tmp_path: Path, testdata: Path) -> None:
    code = main(
        [
            "enroll",
            "--name",
            "Nobody",
            "--phone",
            "+12025550123",
            "--data-dir",
            str(tmp_path / "d"),
            str(testdata / "faces" / "noface" / "sk_coffee.png"),
        ]
    )
    assert code == 1


def test_enroll_into_a_data_folder_that_is_a_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").write_text("not a folder")
    argv = ["enroll", "--name", "Ada", "--phone", "+442079460958", "--data-dir", str(tmp_path / "data")]
    assert main([*argv, "a.jpg"]) == EXIT_DATA_FOLDER
    assert capsys.readouterr().err == (
        f"smartdoor: {tmp_path / 'data'} is a file, not a folder: choose another with --data-dir\n"
    )
