"""`smartdoor device-token CAMERA_ID`: a token signed with the data folder's own key, for that camera."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartdoor.domain.device_tokens import verify_device_token
from smartdoor.server.cli import main
from smartdoor.server.startup import EXIT_DATA_FOLDER, EXIT_USAGE

pytestmark = pytest.mark.integration


def test_the_command_prints_a_token_of_this_door_for_the_camera(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["device-token", "front-door", "--data-dir", str(data)]) == 0
    token = capsys.readouterr().out.strip()
    key = (data / "secret-key").read_text().strip().encode("ascii")
    assert verify_device_token(token, key).camera_id == "front-door"


def test_a_camera_no_frame_key_can_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["device-token", "front door", "--data-dir", str(tmp_path / "data")]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("smartdoor: cameraId must be")


def test_a_data_folder_that_is_a_file_is_one_sentence_and_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").write_text("not a folder")
    assert main(["device-token", "front-door", "--data-dir", str(tmp_path / "data")]) == EXIT_DATA_FOLDER
    assert capsys.readouterr() == (
        "",
        f"smartdoor: {tmp_path / 'data'} is a file, not a folder: choose another with --data-dir\n",
    )
