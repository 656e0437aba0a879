"""POST /face-events: at-least-once delivery makes one sighting and one email per face event."""

from __future__ import annotations

import pytest

from tests.api.conftest import RunningServer
from tests.api.helpers import event, later_frame, outbox, post_face_event

pytestmark = pytest.mark.api


def test_a_record_delivered_three_times_makes_one_sighting_and_one_email(
    server: RunningServer, face_jpeg: bytes
) -> None:
    record = event("unknown_face.json")
    replies = [post_face_event(server.url, server.token, record, face_jpeg) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert len(replies[0].json()["sightings"]) == 1
    assert [r.json() for r in replies[1:]] == [{"sightings": []}] * 2
    assert len(server.door.door.sightings.list(None, 10, None).items) == 1
    assert len(outbox(server.url, server.token, "email")) == 1


def test_two_faces_in_one_record_stay_two_events(server: RunningServer) -> None:
    record = event("two_faces.json")
    for face in record["FaceSearchResponse"]:
        face["MatchedFaces"] = []
    first = post_face_event(server.url, server.token, record)
    again = post_face_event(server.url, server.token, record)
    assert len(first.json()["sightings"]) == 2
    assert again.json() == {"sightings": []}
    assert len(outbox(server.url, server.token, "email")) == 2


def test_a_record_with_a_bad_descriptor_is_refused_and_recognition_goes_on(server: RunningServer) -> None:
    bad = event("unknown_face.json")
    bad["FaceSearchResponse"][0]["DetectedFace"]["Descriptor"] = [0.1] * 127
    response = post_face_event(server.url, server.token, bad)
    assert response.status_code == 400
    assert "Descriptor has 127 values; a face descriptor has 128" in response.json()["error"]
    assert server.door.faces.search([0.1] * 128).verdict == "new"  # the index still searches
    good = later_frame("unknown_face.json")
    good["FaceSearchResponse"][0]["DetectedFace"]["Descriptor"] = [0.1] * 128
    assert len(post_face_event(server.url, server.token, good).json()["sightings"]) == 1
    assert server.door.faces.search([0.1] * 128).verdict == "known"
