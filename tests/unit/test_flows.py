"""The sighting, decision and registration flows over the in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartdoor.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, StorageUnavailable
from smartdoor.domain.links import LinkExpired, LinkInvalid, LinkUsed, verify_link
from smartdoor.domain.model import AccessDecision, DetectedFace, FaceOwner, SightingStatus
from smartdoor.domain.policy import DoorPolicy
from smartdoor.services.access import DoorClient, validate_otp
from smartdoor.services.authorization import Anonymous, LinkHolder, Owner, spend_link
from smartdoor.services.console import forget_visitor, list_sightings
from smartdoor.services.decisions import approve_visitor, register_visitor
from smartdoor.services.enrollment import EnrolmentPhoto, enroll_visitor
from smartdoor.services.sightings import record_face_event
from tests.unit.builders import matching, registered_visitor, unknown_face
from tests.unit.conftest import KEY, Fakes, make_fakes

pytestmark = pytest.mark.unit


def link_token(fakes: Fakes) -> str:
    text = fakes.mailer.sent[-1].text
    return text.split("/approve?token=")[1].split()[0]


def test_an_unknown_face_becomes_one_pending_sighting(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"\xff\xd8jpeg")
    assert sighting.status is SightingStatus.PENDING
    assert sighting.photo is not None
    assert sighting.face_photo is not None
    assert fakes.photos.objects == {
        f"sightings/{sighting.id}.jpg": b"\xff\xd8jpeg",
        f"sightings/{sighting.id}-face.jpg": b"face-of:\xff\xd8jpeg",
    }
    assert fakes.owners.labels() == {sighting.face_id: f"sighting-{sighting.id}"}
    assert fakes.publisher.published == [sighting]
    [email] = fakes.mailer.sent
    assert email.to == "owner@example.com"
    assert email.inline_images == (("visitor-photo", b"\xff\xd8jpeg"),)
    assert 'src="cid:visitor-photo"' in email.html
    grant = verify_link(link_token(fakes), KEY, fakes.clock.now())
    assert grant.sighting_id == sighting.id
    assert grant.expires_at == fakes.clock.now() + timedelta(hours=24)
    assert f"https://door.example/deny?token={link_token(fakes)}" in email.text
    assert fakes.events.kinds() == ["NEW_FACE"]


def test_later_frames_of_the_same_face_stay_quiet(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    for _ in range(5):
        fakes.clock.advance(seconds=1)
        event = matching(fakes.clock.now(), sighting.face_id, f"sighting-{sighting.id}")
        assert record_face_event(fakes.door, event) == []
    assert len(fakes.mailer.sent) == 1
    assert len(fakes.sightings.items) == 1


def test_a_match_below_the_threshold_is_a_new_face(fakes: Fakes) -> None:
    [first] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    weak = matching(fakes.clock.now(), first.face_id, f"sighting-{first.id}", similarity=89.9)
    [second] = record_face_event(fakes.door, weak)
    assert second.id != first.id
    assert len(fakes.mailer.sent) == 2


def test_a_denied_face_stays_quiet_until_the_cooldown_ends() -> None:
    fakes = make_fakes(policy=DoorPolicy(deny_cooldown=timedelta(hours=1)))
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    approve_visitor(fakes.door, Owner(), sighting.id, AccessDecision.DENY)
    label = f"sighting-{sighting.id}"
    fakes.clock.advance(minutes=59)
    assert record_face_event(fakes.door, matching(fakes.clock.now(), sighting.face_id, label)) == []
    fakes.clock.advance(minutes=1)
    [again] = record_face_event(fakes.door, matching(fakes.clock.now(), sighting.face_id, label))
    assert again.status is SightingStatus.PENDING
    assert again.face_id == sighting.face_id  # the same indexed face, now the new sighting's
    assert fakes.owners.labels()[sighting.face_id] == f"sighting-{again.id}"


def test_a_match_without_external_id_is_found_by_face_id(fakes: Fakes) -> None:
    ada = registered_visitor(fakes)
    fakes.clock.advance(minutes=2)
    [known] = record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, None))
    assert known.visitor_id == ada.id
    assert len(fakes.sms.sent) == 2


def test_two_faces_in_one_frame_are_handled_apart(fakes: Fakes) -> None:
    ada = registered_visitor(fakes)
    fakes.clock.advance(minutes=2)
    known = matching(fakes.clock.now(), ada.face_id, f"visitor-{ada.id}")
    stranger = unknown_face(fakes.clock.now())
    both = known.__class__(known.camera_id, known.frame_time, (*known.faces, *stranger.faces))
    created = record_face_event(fakes.door, both)
    assert [s.status for s in created] == [SightingStatus.KNOWN, SightingStatus.PENDING]


def test_no_faces_do_nothing(fakes: Fakes) -> None:
    event = unknown_face(fakes.clock.now())
    assert record_face_event(fakes.door, event.__class__(event.camera_id, event.frame_time, ())) == []
    assert fakes.mailer.sent == []


def test_an_outbox_that_cannot_take_the_email_leaves_no_sighting(fakes: Fakes) -> None:
    # A sighting the owner is never told about would be lost for good: the two are one unit.
    fakes.mailer.fail = True
    with pytest.raises(StorageUnavailable):
        record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"\xff\xd8jpeg")
    assert (fakes.sightings.items, fakes.publisher.published, fakes.mailer.sent) == ({}, [], [])
    assert (fakes.owners.labels(), fakes.faces.descriptors, fakes.photos.objects) == ({}, {}, {})
    assert fakes.events.kinds() == []


def test_the_owners_email_is_keyed_by_its_sighting(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    [email] = fakes.mailer.sent
    assert email.key == f"email:sighting:{sighting.id}"


def test_approve_then_register_by_the_owner(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"jpeg")
    assert (
        approve_visitor(fakes.door, Owner(), sighting.id, AccessDecision.APPROVE).status
        is SightingStatus.APPROVED
    )
    done = register_visitor(fakes.door, Owner(), sighting.id, "  Ada Lovelace ", "+44 (20) 7946-0958")
    assert done.passcode_sent
    assert (done.visitor.name, done.visitor.phone_number) == ("Ada Lovelace", "+442079460958")
    assert fakes.owners.labels()[sighting.face_id] == f"visitor-{done.visitor.id}"
    stored = fakes.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.status, stored.visitor_id) == (SightingStatus.REGISTERED, done.visitor.id)
    [sms] = fakes.sms.sent
    assert sms.phone_number == "+442079460958"
    code = sms.text.split("passcode is ")[1][:6]
    assert validate_otp(fakes.door, code, DoorClient("door")).message == "Welcome, Ada Lovelace!"
    assert fakes.events.kinds() == ["NEW_FACE", "APPROVED", "REGISTERED", "CODE_SENT", "DOOR_OPENED"]


@pytest.mark.parametrize("status", [AccessDecision.DENY])
def test_a_decided_sighting_cannot_be_registered(fakes: Fakes, status: AccessDecision) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    approve_visitor(fakes.door, Owner(), sighting.id, status)
    with pytest.raises(Conflict, match="already handled: denied"):
        register_visitor(fakes.door, Owner(), sighting.id, "Ada", "+442079460958")
    with pytest.raises(NotFound):
        register_visitor(fakes.door, Owner(), "no-such-sighting", "Ada", "+442079460958")


@pytest.mark.parametrize(
    "phone",
    ["2065550100", "+1 206", "+0 206 555 0100", "+1 206 555 0100 12345", "+1 206 CALL", "", "++12065550100"],
)
def test_invalid_phone_numbers_change_nothing(fakes: Fakes, phone: str) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    with pytest.raises(InvalidInput) as caught:
        register_visitor(fakes.door, Owner(), sighting.id, "Ada", phone)
    assert caught.value.field == "phoneNumber"
    assert fakes.visitors.items == {}
    assert fakes.sms.sent == []
    assert fakes.sightings.items[sighting.id].status is SightingStatus.PENDING


@pytest.mark.parametrize(
    ("name", "why"), [("", "Enter"), ("  \\t ", "Enter"), ("x" * 81, "too long"), ("A\\u0000B", "control")]
)
def test_invalid_names(fakes: Fakes, name: str, why: str) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    with pytest.raises(InvalidInput, match=why):
        register_visitor(
            fakes.door, Owner(), sighting.id, name.encode().decode("unicode_escape"), "+12025550100"
        )


def test_markup_in_a_name_is_kept_and_escaped_in_email(fakes: Fakes) -> None:
    name = "<script>alert(1)</script>"
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now(), camera="<b>porch</b>"))
    done = register_visitor(fakes.door, Owner(), sighting.id, name, "+12025550100")
    assert done.visitor.name == name
    assert "<b>porch</b>" not in fakes.mailer.sent[0].html
    assert "&lt;b&gt;porch&lt;/b&gt;" in fakes.mailer.sent[0].html


def test_only_the_owner_or_a_link_may_decide(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    with pytest.raises(NotAllowed):
        approve_visitor(fakes.door, Anonymous(), sighting.id, AccessDecision.APPROVE)
    with pytest.raises(NotAllowed):
        list_sightings(fakes.door, Anonymous(), None, None, None)
    token = link_token(fakes)
    assert (
        approve_visitor(fakes.door, LinkHolder(token), sighting.id, AccessDecision.APPROVE).status
        is SightingStatus.APPROVED
    )


def test_a_link_is_for_its_own_sighting_and_cannot_be_tampered_with(fakes: Fakes) -> None:
    [first] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    token = link_token(fakes)
    [second] = record_face_event(fakes.door, unknown_face(fakes.clock.now(), camera="garden"))
    with pytest.raises(LinkInvalid, match="another visitor"):
        approve_visitor(fakes.door, LinkHolder(token), second.id, AccessDecision.DENY)
    body, _, mac = token.partition(".")
    for tampered in (
        f"{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{mac}",
        f"{body}.{mac[:-1]}",
        "garbage",
        "é.é",
    ):
        with pytest.raises(LinkInvalid):
            approve_visitor(fakes.door, LinkHolder(tampered), first.id, AccessDecision.DENY)
    assert fakes.sightings.items[first.id].status is SightingStatus.PENDING


def test_an_expired_link(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    token = link_token(fakes)
    fakes.clock.advance(hours=24)
    with pytest.raises(LinkExpired):
        register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    assert fakes.visitors.items == {}


def test_a_link_registers_once(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    token = link_token(fakes)
    register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    with pytest.raises((LinkUsed, Conflict)):
        register_visitor(fakes.door, LinkHolder(token), sighting.id, "Eve", "+12025550199")
    assert [v.name for v in fakes.visitors.items.values()] == ["Ada"]
    assert len(fakes.sms.sent) == 1


def test_a_deny_link_cannot_be_replayed(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    token = link_token(fakes)
    approve_visitor(fakes.door, LinkHolder(token), sighting.id, AccessDecision.DENY)
    with pytest.raises(Conflict):
        approve_visitor(fakes.door, LinkHolder(token), sighting.id, AccessDecision.DENY)


def test_forgetting_a_visitor_forgets_face_and_photos(fakes: Fakes) -> None:
    ada = registered_visitor(fakes)
    assert fakes.photos.objects
    forget_visitor(fakes.door, Owner(), ada.id)
    assert fakes.visitors.items == {}
    assert ada.face_id not in fakes.owners.labels()
    assert fakes.photos.objects == {}
    with pytest.raises(NotFound):
        forget_visitor(fakes.door, Owner(), ada.id)
    # Their next visit is a stranger's.
    fakes.clock.advance(minutes=20)
    [again] = record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, f"visitor-{ada.id}"))
    assert again.status is SightingStatus.PENDING


def test_forgetting_a_visitor_deletes_exactly_the_faces_they_own(fakes: Fakes) -> None:
    ada_face, bo_face = (0.01,) * 128, (-0.01,) * 128
    photo = EnrolmentPhoto(unknown_face(fakes.clock.now()).faces[0], b"jpeg")
    ada_photos = [
        EnrolmentPhoto(DetectedFace(photo.face.bounding_box, 99.0, descriptor=d), b"jpeg")
        for d in (ada_face, ada_face)
    ]
    ada = enroll_visitor(fakes.door, Owner(), "Ada", "+442079460958", ada_photos).visitor
    bo_photos = [EnrolmentPhoto(DetectedFace(photo.face.bounding_box, 99.0, descriptor=bo_face), b"jpeg")]
    bo = enroll_visitor(fakes.door, Owner(), "Bo", "+442079460959", bo_photos).visitor
    ada_faces = fakes.owners.faces_of(FaceOwner.visitor(ada.id))
    assert len(ada_faces) == 2
    forget_visitor(fakes.door, Owner(), ada.id)
    assert fakes.owners.labels() == {bo.face_id: f"visitor-{bo.id}"}
    assert list(fakes.faces.descriptors) == [bo.face_id]


# --- registration is one unit of work -----------------------------------------------------------------


def assert_nothing_registered(fakes: Fakes, sighting_id: str, face_id: str) -> None:
    assert fakes.sightings.items[sighting_id].status is SightingStatus.PENDING
    assert fakes.visitors.items == {}
    assert fakes.owners.labels()[face_id] == f"sighting-{sighting_id}"
    assert fakes.passcodes.items == {}
    assert fakes.sms.sent == []
    assert "REGISTERED" not in fakes.events.kinds()


def test_a_name_no_store_can_hold_leaves_the_sighting_registrable(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    with pytest.raises(InvalidInput) as caught:
        register_visitor(fakes.door, Owner(), sighting.id, "Ada\ud800", "+12025550100")
    assert caught.value.field == "name"
    assert_nothing_registered(fakes, sighting.id, sighting.face_id)
    done = register_visitor(fakes.door, Owner(), sighting.id, "Ada", "+12025550100")
    assert (done.visitor.name, done.passcode_sent) == ("Ada", True)


def test_a_storage_failure_midway_undoes_the_whole_registration(fakes: Fakes) -> None:
    # GIVEN a sighting from an emailed link, and a visitor store that fails after the sighting's transition
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    token = link_token(fakes)
    fakes.visitors.fail_adds = True
    with pytest.raises(StorageUnavailable):
        register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    # THEN nothing of it happened: the sighting is still registrable and the link still unused
    assert_nothing_registered(fakes, sighting.id, sighting.face_id)
    # WHEN the store recovers, the same link registers the visitor, and the SMS limit was not used up
    fakes.visitors.fail_adds = False
    done = register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    assert done.passcode_sent
    assert fakes.sightings.items[sighting.id].status is SightingStatus.REGISTERED
    assert fakes.owners.labels()[sighting.face_id] == f"visitor-{done.visitor.id}"
    [sms] = fakes.sms.sent
    assert validate_otp(fakes.door, sms.text.split("passcode is ")[1][:6], DoorClient("door")).granted


def test_registering_keeps_the_sighting_s_photos_from_the_purge(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"jpeg")
    assert sighting.photo is not None
    assert fakes.photos.kept == set()
    done = register_visitor(fakes.door, Owner(), sighting.id, "Ada", "+12025550100")
    assert fakes.photos.kept == {p.object_key for p in done.visitor.photos}
    assert sighting.photo.object_key in fakes.photos.kept


def test_photos_that_cannot_be_kept_leave_the_sighting_registrable(fakes: Fakes) -> None:
    # GIVEN a photo store that cannot mark photos as kept (on S3: PutObjectTagging fails)
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"jpeg")
    token = link_token(fakes)
    fakes.photos.fail_keeps = True
    with pytest.raises(StorageUnavailable):
        register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    # THEN nothing was registered: no visitor exists whose photos the purge could still delete
    assert_nothing_registered(fakes, sighting.id, sighting.face_id)
    # WHEN the store recovers, the same link registers the visitor, photos kept
    fakes.photos.fail_keeps = False
    done = register_visitor(fakes.door, LinkHolder(token), sighting.id, "Ada", "+12025550100")
    assert fakes.photos.kept == {p.object_key for p in done.visitor.photos}


def test_a_passcode_collision_redraws_and_registers_once() -> None:
    # GIVEN Ada holds the live code 111111, and Bo's first draw is that same code
    fakes = make_fakes(codes=["111111", "111111", "222222"])
    ada = registered_visitor(fakes, name="Ada", phone="+442079460958")
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now(), camera="garden"))
    # WHEN Bo is registered
    bo = register_visitor(fakes.door, Owner(), sighting.id, "Bo", "+12025550100").visitor
    # THEN the collision undid the first try, and the second registered Bo once, with the free code
    assert fakes.codes.drawn == ["111111", "111111", "222222"]
    assert sorted(v.name for v in fakes.visitors.items.values()) == ["Ada", "Bo"]
    assert [s.text.split("passcode is ")[1][:6] for s in fakes.sms.sent] == ["111111", "222222"]
    assert {p.visitor_id for p in fakes.passcodes.items.values()} == {ada.id, bo.id}
    assert fakes.events.kinds().count("REGISTERED") == 2


def test_a_phone_at_its_sms_limit_is_registered_without_a_passcode(fakes: Fakes) -> None:
    registered_visitor(fakes, name="Ada", phone="+12025550100")
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now(), camera="garden"))
    done = register_visitor(fakes.door, Owner(), sighting.id, "Ada's twin", "+1 202 555 0100")
    assert not done.passcode_sent
    assert fakes.sightings.items[sighting.id].status is SightingStatus.REGISTERED
    assert len(fakes.sms.sent) == 1
    assert done.visitor.id not in {p.visitor_id for p in fakes.passcodes.items.values()}
    assert fakes.events.kinds()[-2:] == ["REGISTERED", "CODE_HELD_BACK"]


@pytest.mark.parametrize(
    ("name", "phone", "field"),
    [("Ada", "+1 206 555 01", "phoneNumber"), ("Ada\u202e", "+12025550100", "name")],
)
def test_enrolment_checks_the_details_before_indexing_a_face(
    fakes: Fakes, name: str, phone: str, field: str
) -> None:
    photo = EnrolmentPhoto(unknown_face(fakes.clock.now()).faces[0], b"jpeg")
    with pytest.raises(InvalidInput) as caught:
        enroll_visitor(fakes.door, Owner(), name, phone, [photo])
    assert caught.value.field == field
    assert (fakes.owners.labels(), fakes.visitors.items, fakes.photos.objects) == ({}, {}, {})


def test_a_spent_link_stays_spent_until_it_expires(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    grant = verify_link(link_token(fakes), KEY, fakes.clock.now())
    spend_link(fakes.door, grant)
    assert fakes.door.claims.claim(f"link:{grant.nonce}", grant.expires_at, fakes.clock.now()) is False
    # 12 hours on is midnight UTC, the start of a new day-long window: a claim, not a window, holds it.
    fakes.clock.advance(hours=12)
    with pytest.raises(LinkUsed):
        spend_link(fakes.door, grant)
    assert sighting.status is SightingStatus.PENDING


def test_a_denied_face_back_whose_email_fails_stays_the_denied_sightings() -> None:
    fakes = make_fakes(policy=DoorPolicy(deny_cooldown=timedelta(hours=1)))
    [denied] = record_face_event(fakes.door, unknown_face(fakes.clock.now()))
    approve_visitor(fakes.door, Owner(), denied.id, AccessDecision.DENY)
    fakes.clock.advance(hours=1)
    back = matching(fakes.clock.now(), denied.face_id, f"sighting-{denied.id}")
    fakes.mailer.fail = True
    with pytest.raises(StorageUnavailable):
        record_face_event(fakes.door, back)
    # The face went back to the denied sighting, so the next frame finds it there and tries again.
    assert fakes.owners.labels() == {denied.face_id: f"sighting-{denied.id}"}
    assert list(fakes.sightings.items) == [denied.id]
    fakes.mailer.fail = False
    [again] = record_face_event(fakes.door, back)
    assert fakes.owners.labels() == {denied.face_id: f"sighting-{again.id}"}
    assert [e.key for e in fakes.mailer.sent] == [f"email:sighting:{s}" for s in (denied.id, again.id)]
