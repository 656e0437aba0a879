"""/healthz tells the truth: the database answers and the analysis worker is alive, or 503 and what failed;
/status.json says which camera failed and why."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from tests.api.conftest import RunningServer
from tests.waiting import wait_until

pytestmark = pytest.mark.api


def _blank_jpeg() -> bytes:
    ok, jpeg = cv2.imencode(".jpg", np.zeros((120, 160, 3), np.uint8))
    assert ok
    return jpeg.tobytes()


def test_a_healthy_server_says_what_it_checked(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "checks": {"database": "ok"}}


def test_a_broken_database_is_unhealthy(server: RunningServer) -> None:
    # GIVEN the database file overwritten with something that is not a database
    database = server.door.database.path
    database.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    # WHEN asked THEN health is 503 and says the database does not answer
    response = httpx.get(f"{server.url}/healthz", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"] == (f"the database {database} does not answer: file is not a database")


def test_a_dead_analysis_worker_is_unhealthy(vision_server: RunningServer) -> None:
    # GIVEN a running analysis worker (the first frame starts it)
    response = httpx.post(
        f"{vision_server.url}/frames",
        content=_blank_jpeg(),
        headers={"authorization": f"Bearer {vision_server.token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert httpx.get(f"{vision_server.url}/healthz").json() == {
        "ok": True,
        "checks": {"database": "ok", "analysis": "ok"},
    }
    assert vision_server.vision is not None
    worker = vision_server.vision.analysis
    pid = getattr(worker, "pid", None)
    assert isinstance(pid, int)
    # WHEN the worker process is killed
    os.kill(pid, signal.SIGKILL)
    # THEN health turns 503 and says so
    assert wait_until(lambda: worker.problem() is not None)
    response = httpx.get(f"{vision_server.url}/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "ok": False,
        "checks": {
            "database": "ok",
            "analysis": "the analysis worker process stopped (killed by signal 9); the next frame starts "
            "a new one",
        },
    }


def test_a_camera_that_cannot_open_is_reported_failed(tmp_path: Path) -> None:
    # GIVEN a camera on a folder with no images in it
    empty = tmp_path / "photos"
    empty.mkdir()
    running = RunningServer(tmp_path / "data", with_vision=True, cameras=(f"porch={empty}",))
    running.start()
    try:
        assert running.vision is not None
        [camera] = running.vision.cameras
        assert camera.wait_until_done(timeout=20)
        # WHEN the owner asks THEN the camera is failed, with the reason
        response = httpx.get(
            f"{running.url}/status.json", headers={"authorization": f"Bearer {running.token}"}
        )
    finally:
        running.stop()
    [status] = response.json()["vision"]["cameras"]
    assert status["camera_id"] == "porch"
    assert status["state"] == "failed"
    assert status["error"].startswith(f"cannot open: {empty} holds no images")
