"""The banner `smartdoor serve` prints tells a newcomer where to send what."""

from __future__ import annotations

from pathlib import Path

from smartdoor.config import Settings
from smartdoor.server.serve import banner


def test_without_a_camera_the_banner_says_how_to_post_a_jpeg() -> None:
    # A bare POST /frames is a door device's multipart upload; a plain JPEG goes to /frames?camera=ID.
    text = banner(Settings(data_dir=Path("door-data")), "t0ken", cameras=[], workers=1)
    assert "POST JPEGs to http://127.0.0.1:8000/frames?camera=ID (owner token)" in text
    assert "Owner console:  http://127.0.0.1:8000/?token=t0ken" in text


def test_with_cameras_the_banner_names_them_instead() -> None:
    text = banner(Settings(data_dir=Path("door-data")), "t0ken", cameras=["door", "porch"], workers=2)
    assert "Smart Door is running. (2 server processes)" in text
    assert "Cameras:        door, porch" in text
    assert "No camera yet" not in text
