"""Every passcode rule of DESIGN.md, one test each, with an injected clock and chosen codes."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from smartdoor.adapters.memory.stores import MemoryAttempts
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import Passcode
from smartdoor.domain.passcodes import hash_code, new_passcode, random_code
from smartdoor.domain.policy import DoorPolicy, SmsLimit
from smartdoor.services.access import AccessResult, DoorClient, validate_otp
from smartdoor.services.passcodes import send_passcode
from smartdoor.services.sightings import record_face_event
from tests.unit.builders import matching, registered_visitor
from tests.unit.conftest import KEY, Fakes, make_fakes

pytestmark = pytest.mark.unit

DENIED = AccessResult(False, "Permission denied", None)
MALLORY, ADA_PHONE = DoorClient("mallory"), DoorClient("ada-phone")  # cookieless clients, by address


def sms_code(fakes: Fakes, index: int = -1) -> str:
    match = re.search(r"\b(\d{6})\b", fakes.sms.sent[index].text)
    assert match
    return match.group(1)


def test_codes_are_six_digits_from_secrets_with_leading_zeros() -> None:
    draws = [random_code() for _ in range(2000)]
    assert all(re.fullmatch(r"[0-9]{6}", code) for code in draws)
    assert len(set(draws)) > 1900  # 10^6 values: repeats are rare
    assert any(code.startswith("0") for code in draws)  # ~10% start with 0; keeping them matters


def test_codes_are_stored_as_a_keyed_hash_never_in_clear(fakes: Fakes) -> None:
    visitor = registered_visitor(fakes)
    code = sms_code(fakes)
    [stored] = fakes.passcodes.items.values()
    assert stored.code_hash == hash_code(code, KEY)
    assert code not in repr(stored)
    assert hash_code(code, b"another-key") != stored.code_hash
    import hashlib

    assert stored.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert stored.visitor_id == visitor.id


def test_a_code_lives_at_most_five_minutes() -> None:
    with pytest.raises(ValueError, match="otp_lifetime"):
        DoorPolicy(otp_lifetime=timedelta(seconds=301))
    with pytest.raises(ValueError, match="a passcode lives"):
        new_passcode("123456", KEY, "v", make_fakes().clock.now(), timedelta(minutes=6))


@pytest.mark.parametrize(("seconds", "granted"), [(299, True), (300, False), (301, False)])
def test_expiry_is_checked_on_read_while_the_expired_row_still_exists(seconds: int, granted: bool) -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    fakes.clock.advance(seconds=seconds)
    result = validate_otp(fakes.door, code, DoorClient("door-1"))
    assert result == (AccessResult(True, "Welcome, Ada!", "Ada") if granted else DENIED)
    if not granted:
        # The store never deleted it (a lazy TTL would not have either): the check was in code.
        assert hash_code(code, KEY) in fakes.passcodes.items


def test_a_code_works_once() -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    assert validate_otp(fakes.door, code, DoorClient("door-1")).granted
    assert validate_otp(fakes.door, code, DoorClient("door-1")) == DENIED


def test_fifty_parallel_tries_of_one_code_open_the_door_once() -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    barrier = threading.Barrier(50, timeout=30)  # bounds: a thread that never arrives fails the test
    results: list[bool] = []

    def attempt(n: int) -> None:
        barrier.wait()
        results.append(validate_otp(fakes.door, code, DoorClient(f"door-{n}")).granted)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 50, "a thread did not finish"
    assert sorted(results) == [False] * 49 + [True]


def test_live_codes_are_unique_a_collision_draws_again() -> None:
    # GIVEN Ada holds the live code 111111, and the next draw would be that same code
    fakes = make_fakes(codes=["111111", "111111", "222222"])
    ada = registered_visitor(fakes, name="Ada", phone="+442079460958")
    fakes.clock.advance(minutes=1)
    # WHEN Bo is sent a code
    bo = registered_visitor(fakes, name="Bo", phone="+12025550100")
    # THEN Bo got the next free code, and both are live and distinct
    assert fakes.codes.drawn == ["111111", "111111", "222222"]
    assert sms_code(fakes) == "222222"
    assert {p.visitor_id for p in fakes.passcodes.items.values()} == {ada.id, bo.id}
    assert validate_otp(fakes.door, "111111", DoorClient("door")).visitor_name == "Ada"
    assert validate_otp(fakes.door, "222222", DoorClient("door")).visitor_name == "Bo"


def test_an_expired_code_may_be_drawn_again() -> None:
    fakes = make_fakes(codes=["333333", "333333"])
    registered_visitor(fakes, name="Ada", phone="+442079460958")
    fakes.clock.advance(minutes=6)
    registered_visitor(fakes, name="Bo", phone="+12025550100")
    assert fakes.codes.drawn == ["333333", "333333"]
    assert validate_otp(fakes.door, "333333", DoorClient("door")).visitor_name == "Bo"


@pytest.mark.parametrize("kind", ["wrong", "expired", "used", "letters", "empty", "long"])
def test_one_answer_for_every_bad_code(kind: str) -> None:
    fakes = make_fakes()
    registered_visitor(fakes)
    code = sms_code(fakes)
    if kind == "used":
        validate_otp(fakes.door, code, DoorClient("door-0"))
    if kind == "expired":
        fakes.clock.advance(minutes=5)
    typed = {
        "wrong": "999999",
        "expired": code,
        "used": code,
        "letters": "12ab56",
        "empty": "",
        "long": "1" * 7,
    }
    assert validate_otp(fakes.door, typed[kind], DoorClient("door-1")) == DENIED


def test_five_wrong_tries_then_an_exponential_lockout() -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    for _ in range(4):
        assert validate_otp(fakes.door, "000000", MALLORY) == DENIED
    # The fifth wrong try is answered, and locks the client for 30 s.
    assert validate_otp(fakes.door, "000000", MALLORY) == DENIED
    locked = validate_otp(fakes.door, code, MALLORY)  # even the right code is refused while locked
    assert locked == AccessResult(False, "Permission denied. Too many wrong codes: try again in 30 s.")
    fakes.clock.advance(seconds=30)
    assert validate_otp(fakes.door, "000000", MALLORY) == DENIED  # 6th: 60 s
    assert validate_otp(fakes.door, "000000", MALLORY).message.endswith("try again in 60 s.")
    fakes.clock.advance(seconds=60)
    validate_otp(fakes.door, "000000", MALLORY)  # 7th: 120 s
    assert validate_otp(fakes.door, "000000", MALLORY).message.endswith("try again in 120 s.")
    # The code that mallory could not use stays live for its owner on another client.
    assert validate_otp(fakes.door, code, ADA_PHONE).visitor_name == "Ada"


def test_the_lockout_is_per_client_and_a_success_clears_it() -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    for _ in range(4):
        validate_otp(fakes.door, "000000", ADA_PHONE)
    for _ in range(5):
        validate_otp(fakes.door, "000000", MALLORY)
    # Mallory is locked; Ada's phone, with four wrong tries, is not, and her right code clears its count.
    assert validate_otp(fakes.door, "000000", MALLORY).message.startswith("Permission denied. Too many")
    assert validate_otp(fakes.door, code, ADA_PHONE).granted
    for _ in range(4):
        assert validate_otp(fakes.door, "000000", ADA_PHONE) == DENIED  # counting from zero again
    assert validate_otp(fakes.door, "000000", ADA_PHONE) == DENIED  # the 5th: now locked
    assert validate_otp(fakes.door, "000000", ADA_PHONE).message.startswith("Permission denied. Too many")


def test_a_quiet_client_is_forgiven() -> None:
    fakes = make_fakes()
    for _ in range(4):
        validate_otp(fakes.door, "000000", DoorClient("kid"))
    fakes.clock.advance(hours=1)
    for _ in range(4):
        assert validate_otp(fakes.door, "000000", DoorClient("kid")) == DENIED
    assert validate_otp(fakes.door, "000000", DoorClient("kid")) == DENIED  # the 5th of this hour: now locked
    assert "try again" in validate_otp(fakes.door, "000000", DoorClient("kid")).message


def test_a_burst_of_wrong_codes_alerts_the_owner_once() -> None:
    fakes = make_fakes(policy=DoorPolicy(owner_email="owner@example.com", failure_budget_per_minute=10))
    for n in range(40):
        validate_otp(fakes.door, "000000", DoorClient(f"bot-{n}"))  # many clients: no lock-out stops them
    alerts = [e for e in fakes.mailer.sent if "wrong passcodes" in e.subject]
    assert len(alerts) == 1
    assert alerts[0].to == "owner@example.com"


def test_a_mail_outage_does_not_break_the_door() -> None:
    fakes = make_fakes(policy=DoorPolicy(failure_budget_per_minute=1))
    fakes.mailer.fail = True
    for n in range(3):
        assert validate_otp(fakes.door, "000000", DoorClient(f"bot-{n}")) == DENIED


def test_sms_limits_per_phone() -> None:
    fakes = make_fakes(
        policy=DoorPolicy(sms_limits=(SmsLimit(1, timedelta(minutes=1)), SmsLimit(5, timedelta(minutes=10))))
    )
    ada = registered_visitor(fakes)  # SMS 1
    assert send_passcode(fakes.door, ada) is False  # within the minute: held back, no code stored
    assert len(fakes.sms.sent) == 1
    assert len(fakes.passcodes.items) == 1
    for _ in range(4):  # SMS 2..5, a minute apart
        fakes.clock.advance(minutes=1)
        assert send_passcode(fakes.door, ada) is True
    fakes.clock.advance(minutes=1)
    assert send_passcode(fakes.door, ada) is False  # the 6th within 10 minutes
    assert len(fakes.sms.sent) == 5
    fakes.clock.advance(minutes=5)
    assert send_passcode(fakes.door, ada) is True


def test_a_returning_visitor_gets_one_sms_per_visit() -> None:
    fakes = make_fakes(policy=DoorPolicy(visitor_cooldown=timedelta(minutes=10)))
    ada = registered_visitor(fakes)
    fakes.clock.advance(minutes=2)
    label = f"visitor-{ada.id}"
    # GIVEN Ada comes back: the first frame greets her
    [known] = record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, label), b"jpeg")
    assert known.status.value == "KNOWN"
    # WHEN ten more frames of the same visit arrive
    for _ in range(10):
        fakes.clock.advance(seconds=5)
        assert record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, label), b"jpeg") == []
    # THEN one SMS for the visit (plus the registration's), one sighting published
    assert len(fakes.sms.sent) == 2
    assert [s.status.value for s in fakes.publisher.published] == ["PENDING", "KNOWN"]
    # AND after the cooldown, the next visit gets its own
    fakes.clock.advance(minutes=10)
    record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, label), b"jpeg")
    assert len(fakes.sms.sent) == 3


def test_a_stored_passcode_is_a_plain_value() -> None:
    p = Passcode("h", "v", make_fakes().clock.now(), make_fakes().clock.now() + timedelta(minutes=5))
    assert p.is_live(p.created_at)
    assert not p.is_live(p.expires_at)


def test_fifty_parallel_wrong_codes_from_one_client_get_five_evaluated() -> None:
    fakes = make_fakes()
    barrier = threading.Barrier(50)
    results: list[str] = []

    def attempt() -> None:
        barrier.wait()
        results.append(validate_otp(fakes.door, "000000", MALLORY).message)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("Permission denied") == 5
    assert results.count("Permission denied. Too many wrong codes: try again in 30 s.") == 45
    assert fakes.events.kinds().count("ACCESS_DENIED") == 5


def test_two_devices_behind_one_address_keep_their_own_counts() -> None:
    fakes = make_fakes()
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    first, second = DoorClient("192.0.2.1", "phone-1"), DoorClient("192.0.2.1", "phone-2")
    for _ in range(5):
        validate_otp(fakes.door, "000000", first)
    assert validate_otp(fakes.door, code, first).message.endswith("try again in 30 s.")
    # The second phone in the house is not locked out by the first one's typos.
    assert validate_otp(fakes.door, "000000", second) == DENIED
    assert validate_otp(fakes.door, code, second).visitor_name == "Ada"


def test_new_devices_per_guess_are_bounded_by_the_address() -> None:
    fakes = make_fakes(policy=DoorPolicy(address_lockout=LockoutPolicy(free_failures=20)))
    answers = [validate_otp(fakes.door, "000000", DoorClient("192.0.2.1", f"d{n}")) for n in range(22)]
    assert answers[:20] == [DENIED] * 20
    locked = AccessResult(False, "Permission denied. Too many wrong codes: try again in 30 s.")
    assert answers[20:] == [locked] * 2
    # Another address is a client of its own.
    assert validate_otp(fakes.door, "000000", DoorClient("192.0.2.2", "d99")) == DENIED


def test_without_a_device_cookie_an_address_has_one_devices_allowance() -> None:
    fakes = make_fakes()
    cookieless = DoorClient("192.0.2.1")
    assert [validate_otp(fakes.door, "000000", cookieless) for _ in range(5)] == [DENIED] * 5
    assert validate_otp(fakes.door, "000000", cookieless).message.startswith("Permission denied. Too many")
    # A phone with its cookie on that address still has its own tries (and the address has room).
    assert validate_otp(fakes.door, "000000", DoorClient("192.0.2.1", "phone")) == DENIED


def test_a_right_code_forgives_the_device_and_its_address() -> None:
    fakes = make_fakes(policy=DoorPolicy(address_lockout=LockoutPolicy(free_failures=6)))
    registered_visitor(fakes, name="Ada")
    code = sms_code(fakes)
    phone = DoorClient("192.0.2.1", "phone")
    for _ in range(4):
        validate_otp(fakes.door, "000000", phone)
    assert validate_otp(fakes.door, code, phone).granted  # the 5th try armed a lock; the right code lifts it
    assert isinstance(fakes.door.attempts, MemoryAttempts)
    assert fakes.door.attempts.rows == {}
    assert [validate_otp(fakes.door, "000000", phone) for _ in range(5)] == [DENIED] * 5


def test_a_passcode_whose_sms_cannot_be_queued_is_not_kept() -> None:
    fakes = make_fakes(policy=DoorPolicy(sms_limits=(SmsLimit(1, timedelta(minutes=1)),)))
    ada = registered_visitor(fakes)  # SMS 1
    fakes.clock.advance(minutes=1)
    codes_before = dict(fakes.passcodes.items)
    # GIVEN the outbox cannot take the SMS (the process dies between the passcode and its SMS)
    fakes.sms.fail = True
    with pytest.raises(StorageUnavailable):
        send_passcode(fakes.door, ada)
    # THEN no code is live that no SMS carries, and the failed try used none of the phone's allowance
    assert fakes.passcodes.items == codes_before
    fakes.sms.fail = False
    assert send_passcode(fakes.door, ada) is True
    assert len(fakes.sms.sent) == 2


def test_one_visit_is_one_sms_across_a_window_boundary() -> None:
    fakes = make_fakes(policy=DoorPolicy(visitor_cooldown=timedelta(minutes=10)))
    ada = registered_visitor(fakes)  # at 12:00
    label = f"visitor-{ada.id}"
    # GIVEN Ada comes back at 12:09, and is still at the door at 12:11 (past 12:10, a ten-minute boundary)
    fakes.clock.advance(minutes=9)
    [known] = record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, label), b"jpeg")
    fakes.clock.advance(minutes=2)
    # THEN the later frame belongs to the same visit: no second SMS
    assert record_face_event(fakes.door, matching(fakes.clock.now(), ada.face_id, label), b"jpeg") == []
    assert len(fakes.sms.sent) == 2
    assert fakes.door.claims.claim(f"visit:{ada.id}", known.created_at, known.created_at) is False


def test_sms_limits_count_in_calendar_windows() -> None:
    fakes = make_fakes(policy=DoorPolicy(sms_limits=(SmsLimit(1, timedelta(minutes=1)),)))
    fakes.clock.advance(seconds=50)
    ada = registered_visitor(fakes)  # SMS 1 at 12:00:50
    fakes.clock.advance(seconds=9)
    assert send_passcode(fakes.door, ada) is False  # 12:00:59: the same minute
    fakes.clock.advance(seconds=1)
    assert send_passcode(fakes.door, ada) is True  # 12:01:00: a new minute, ten seconds after the first
    assert len(fakes.sms.sent) == 2
