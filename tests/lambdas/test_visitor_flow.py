"""The visitor flow of tests/api/test_visitor_flow.py through the resolver Lambda: the same answers.

The sighting comes from the shared use case (on AWS the stream handler's part); from there every step is an
AppSync event: the owner (Cognito) approves and registers, the visitor (API key) opens the door once."""

from __future__ import annotations

from collections import Counter

import pytest

from smartdoor.services.sightings import record_face_event
from tests import visitor_flow_steps as steps
from tests.api.helpers import passcode_in
from tests.lambdas.conftest import appsync_event, invoke, refusal
from tests.unit.builders import unknown_face
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.lambdas

FRAME = b"\xff\xd8jpeg"


def link_token(fakes: Fakes) -> str:
    return fakes.mailer.sent[-1].text.split("/approve?token=")[1].split()[0]


def test_unknown_face_to_welcome(fakes: Fakes) -> None:
    # GIVEN an unknown face at the door
    [seen] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), FRAME)
    listed = invoke(appsync_event("Query.sightings.cognito", status="PENDING"))
    [sighting] = listed["items"]
    assert sighting["status"] == "PENDING"
    assert sighting["cameraId"] == "front-door"
    assert sighting["createdAt"] == "2026-11-23T12:00:00.000Z"
    assert sighting["photo"]["url"] == f"memory://{seen.photo.bucket}/sightings/{seen.id}.jpg"  # type: ignore[union-attr]
    assert sighting["facePhoto"]["objectKey"] == f"sightings/{seen.id}-face.jpg"

    # WHEN the owner approves and registers the visitor
    approved = invoke(
        appsync_event("Mutation.approveVisitor.cognito", sightingId=sighting["id"], decision="APPROVE")
    )
    assert {k: approved[k] for k in ("id", "status")} == steps.approved(sighting["id"])
    registered = invoke(
        appsync_event(
            "Mutation.registerVisitor.cognito", input={"sightingId": sighting["id"], **steps.REGISTRATION}
        )
    )
    visitor = steps.assert_registered(registered, sighting["id"], sighting["faceId"])

    # THEN the visitor's passcode opens the door once, at the API-key door page
    [sms] = fakes.sms.sent
    assert sms.phone_number == steps.SMS_TO
    code = passcode_in(sms.text)
    assert invoke(appsync_event("Mutation.validateOtp.api_key", otp=code)) == steps.WELCOME
    assert invoke(appsync_event("Mutation.validateOtp.api_key", otp=code)) == steps.DENIED

    # AND the owner's timeline tells the story, the code never
    timeline = invoke(appsync_event("Query.doorEvents.cognito", limit=50))
    kinds = Counter(item["kind"] for item in timeline["items"])
    assert kinds == steps.FIRST_VISIT
    assert code not in str(timeline)
    # and the console reads the visitor back, photos with their links in the same answer
    one = invoke(appsync_event("Query.visitor.cognito", id=visitor["id"]))
    assert one == visitor
    page = invoke(appsync_event("Query.visitors.cognito"))
    assert page == {"items": [visitor], "nextToken": None}


def test_the_email_link_pages_approve_and_register_with_the_api_key(fakes: Fakes) -> None:
    [seen] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), FRAME)
    token = link_token(fakes)
    shown = invoke(appsync_event("Query.sighting.api_key", id=seen.id, token=token))
    assert shown["id"] == seen.id
    approved = invoke(
        appsync_event("Mutation.approveVisitor.api_key", sightingId=seen.id, decision="APPROVE", token=token)
    )
    assert approved["status"] == "APPROVED"
    registered = invoke(
        appsync_event(
            "Mutation.registerVisitor.api_key",
            input={"sightingId": seen.id, "name": "Ada", "phoneNumber": "+12025550100", "token": token},
        )
    )
    assert registered["passcodeSent"] is True
    # Done once: the same page again is refused with the local code and message.
    again = appsync_event(
        "Mutation.registerVisitor.api_key",
        input={"sightingId": seen.id, "name": "Ada", "phoneNumber": "+12025550100", "token": token},
    )
    assert refusal(again) == ("CONFLICT", "This visitor was already handled: registered.")


def test_a_link_for_another_sighting_is_refused_as_locally(fakes: Fakes) -> None:
    [first] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), FRAME)
    token = link_token(fakes)
    fakes.clock.advance(seconds=1)
    [second] = record_face_event(fakes.door, unknown_face(fakes.clock.now(), camera="back-door"), FRAME)
    event = appsync_event("Query.sighting.api_key", id=second.id, token=token)
    assert refusal(event) == ("LINK_INVALID", "This link is for another visitor.")
    assert first.id != second.id


def test_bad_input_gets_the_local_code(fakes: Fakes) -> None:
    assert refusal(appsync_event("Query.sightings.cognito", limit=500)) == (
        "BAD_USER_INPUT",
        "limit must be between 1 and 100.",
    )
    missing = appsync_event("Mutation.approveVisitor.cognito", sightingId="nope", decision="APPROVE")
    assert refusal(missing) == ("NOT_FOUND", "No sighting 'nope'.")
