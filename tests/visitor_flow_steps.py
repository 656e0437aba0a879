"""The visitor flow's expected answers, one copy for every tier that walks it: the local server
(tests/api/test_visitor_flow.py), the resolver Lambda (tests/lambdas/test_visitor_flow.py) and the Lambdas on
moto (tests/integration/aws/test_cloud_flow.py). Issue 9 holds the AWS edges to the same answers as the
local api for the same flow; an answer that drifts on one side fails there against this one set."""

from __future__ import annotations

from collections import Counter
from typing import Any

# What the owner types into the registration form (the number as people write it).
REGISTRATION: dict[str, str] = {"name": "Ada Lovelace", "phoneNumber": "+44 20 7946 0958"}
# The registered visitor's fields as the API answers them: stored and texted as E.164, shown as dialled.
VISITOR: dict[str, str] = {
    "name": "Ada Lovelace",
    "phoneNumber": "+442079460958",
    "phoneNumberInternational": "+44 20 7946 0958",
}
SMS_TO = "+442079460958"
WELCOME: dict[str, Any] = {
    "granted": True,
    "message": "Welcome, Ada Lovelace!",
    "visitorName": "Ada Lovelace",
}
# The same code a second time: a passcode opens the door once.
DENIED: dict[str, Any] = {"granted": False, "message": "Permission denied", "visitorName": None}
# The timeline of one first visit: seen, approved, registered, texted, opened, then the reused code denied.
FIRST_VISIT: Counter[str] = Counter(
    {"NEW_FACE": 1, "APPROVED": 1, "REGISTERED": 1, "CODE_SENT": 1, "DOOR_OPENED": 1, "ACCESS_DENIED": 1}
)


def approved(sighting_id: str) -> dict[str, str]:
    """approveVisitor's { id status } for an approved sighting."""
    return {"id": sighting_id, "status": "APPROVED"}


def visitor_photo_keys(sighting_id: str) -> list[str]:
    """The visitor keeps the frame and the face cut out of it, in this order."""
    return [f"sightings/{sighting_id}.jpg", f"sightings/{sighting_id}-face.jpg"]


def assert_registered(registration: dict[str, Any], sighting_id: str, face_id: str) -> dict[str, Any]:
    """registerVisitor's answer for the flow's sighting; returns its visitor."""
    assert registration["passcodeSent"] is True
    visitor: dict[str, Any] = registration["visitor"]
    assert {k: visitor[k] for k in VISITOR} == VISITOR
    assert visitor["faceId"] == face_id
    assert [p["objectKey"] for p in visitor["photos"]] == visitor_photo_keys(sighting_id)
    return visitor
