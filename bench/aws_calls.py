"""AWS calls per use case: the door built with build_aws over a moto server on 127.0.0.1, every call counted.

    .venv/bin/python bench/aws_calls.py [--output bench/results/aws_calls.json]

A botocore ``before-call`` hook on every client records (service, operation) while each use case runs; the
outbox dispatcher's sends are recorded apart ("after commit"). Beside each count stands the naive
read-then-write version of the same guarantees, from a stated model (NAIVE below), not a second run. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # runnable from any folder, without installing the package
    sys.path.insert(0, str(ROOT))

from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402

from smartdoor.adapters.aws.errors import client_config  # noqa: E402
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher  # noqa: E402
from smartdoor.adapters.aws.rekognition_faces import RekognitionFaceIndex  # noqa: E402
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds  # noqa: E402
from smartdoor.adapters.memory.offline_aws import stand_up  # noqa: E402
from smartdoor.adapters.memory.rekognition import (  # noqa: E402
    MarkedImageCropper,
    SeenFace,
    marked_image,
)
from smartdoor.adapters.memory.served_fakes import SESSION  # noqa: E402
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher  # noqa: E402
from smartdoor.domain.model import AccessDecision, BoundingBox, FaceEvent  # noqa: E402
from smartdoor.services.access import DoorClient, validate_otp  # noqa: E402
from smartdoor.services.authorization import Owner  # noqa: E402
from smartdoor.services.console import forget_visitor  # noqa: E402
from smartdoor.services.context import Door  # noqa: E402
from smartdoor.services.decisions import approve_visitor, register_visitor  # noqa: E402
from smartdoor.services.sightings import record_face_event  # noqa: E402
from tests.integration.aws.door_settings import SETTINGS  # noqa: E402

Call = tuple[str, str]  # (service, operation)
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BOX = BoundingBox(0.3, 0.2, 0.4, 0.5)
ADA, STRANGER = (0.30, 0.60), (0.70, 0.20)
PHONE, CODE = "+12025550100", "424242"

# The read-then-write version of each use case's guarantees, as calls (a stated model, not a run): every
# conditional write or transaction of ours becomes a read of the items it guards followed by plain writes.
NAIVE: dict[str, tuple[int, str]] = {
    "unknown face": (
        16,
        "get+put frame claim; index; get+put owner record; search; get+update owner (settle); 2 objects; "
        "get sighting, put sighting, put email; put event; get+update frame claim",
    ),
    "unknown face (after commit)": (6, "query; get+update claim; send; get+update mark sent"),
    "approve": (3, "get sighting (status); update status; put event"),
    "registration": (
        18,
        "get sighting; tag 2 objects; put status; get+put visitor; get+put face owner; "
        "get+update 2 SMS windows; get+put passcode; put SMS; 2 events; search",
    ),
    "registration (after commit)": (6, "query; get+update claim; send; get+update mark sent"),
    "validateOtp granted": (
        10,
        "get attempts (device, address), update both; get code, update used; get visitor; "
        "forgive both; put event",
    ),
    "validateOtp denied": (
        8,
        "get attempts x2, update x2; get code (none); put event; get+update failure budget",
    ),
    "validateOtp locked": (2, "get attempts x2 (locked: no write)"),
    "returning visitor": (
        25,
        "get+put frame claim; get owner; get visitor; get+put visit claim; 2 objects; get+put photos x2; "
        "get+put sighting; put event; get+update 2 SMS windows, get+put passcode, put SMS; put event; "
        "get+update frame claim",
    ),
    "returning visitor (after commit)": (6, "query; get+update claim; send; get+update mark sent"),
    "forget visitor": (
        10,
        "get+delete visitor; query faces; delete faces; delete owners; 4 objects; put event",
    ),
}


@dataclass
class Recorder:
    """Every call the door's clients make, per use case; the dispatcher's apart."""

    current: str = ""
    calls: dict[str, list[Call]] = field(default_factory=dict)

    def hook(self, client: Any, label: str = "") -> None:
        service = client.meta.service_model.service_name

        def record(model: Any, **_: Any) -> None:
            if self.current:
                key = f"{self.current}{label}"
                self.calls.setdefault(key, []).append((service, model.name))

        # Registered first, so it runs before the fake's answer (a before-call that returns stops the chain).
        client.meta.events.register_first(
            f"before-call.{client.meta.service_model.service_id.hyphenize()}.*", record
        )

    @contextmanager
    def use_case(self, name: str) -> Iterator[None]:
        self.current = name
        self.calls.setdefault(name, [])
        try:
            yield
        finally:
            self.current = ""


@contextmanager
def moto_server() -> Iterator[str]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
        os.environ.pop(name, None)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bench:
    door: Door
    dispatcher: OutboxDispatcher
    clock: ManualClock
    faces: RekognitionFaceIndex
    recorder: Recorder
    sent: list[str]

    def event(self, likeness: tuple[float, float], n: int) -> tuple[FaceEvent, bytes]:
        frame = marked_image(SeenFace(BOX, likeness))
        found = self.faces.search_frame(frame, self.door.policy.match_threshold)
        return FaceEvent("KVS1", self.clock.now(), found, f"KVS1/frame-{n}"), frame

    def dispatch(self, name: str) -> None:
        with self.recorder.use_case(f"{name} (after commit)"):
            self.dispatcher.run_once()


def build(endpoint: str, recorder: Recorder) -> Bench:
    session = SESSION  # fake credentials: only the moto server and the fake answer

    def client(service: str, **config: Any) -> Any:
        return session.client(service, endpoint_url=endpoint, config=client_config(**config))  # type: ignore[call-overload]

    clients, _ = stand_up(
        lambda service: client(service, signature_version="s3v4") if service == "s3" else client(service),
        SETTINGS,
        "k" * 48,
    )
    for each in (
        clients.dynamodb,
        clients.s3,
        clients.sns,
        clients.sesv2,
        clients.rekognition,
        clients.secretsmanager,
    ):
        recorder.hook(each)
    clock = ManualClock(T0)
    codes = iter([CODE, "111111", "222222", "333333"])
    door = build_aws(
        SETTINGS, clients, clock, SequentialIds("id"), codes=lambda: next(codes), cropper=MarkedImageCropper()
    )
    faces = door.faces
    assert isinstance(faces, RekognitionFaceIndex)
    dispatcher = build_outbox_dispatcher(SETTINGS, "bench", clients, clock)
    sent: list[str] = []
    return Bench(door, dispatcher, clock, faces, recorder, sent)


def run_use_cases(endpoint: str, only: Callable[[str], bool] = lambda _: True) -> dict[str, list[Call]]:
    """Each use case once, in the order a visitor lives them; the calls of those ``only`` keeps."""
    recorder = Recorder()
    b = build(endpoint, recorder)
    event, frame = b.event(ADA, 0)  # the search itself is the frame path's, outside the use case
    with recorder.use_case("unknown face"):
        [sighting] = record_face_event(b.door, event, frame)
    b.dispatch("unknown face")
    owner = Owner()
    with recorder.use_case("approve"):
        approve_visitor(b.door, owner, sighting.id, AccessDecision.APPROVE)
    with recorder.use_case("registration"):
        registration = register_visitor(b.door, owner, sighting.id, "Ada", PHONE)
    b.dispatch("registration")
    here = DoorClient("203.0.113.7")
    with recorder.use_case("validateOtp granted"):
        assert validate_otp(b.door, CODE, here).granted
    with recorder.use_case("validateOtp denied"):
        assert not validate_otp(b.door, "000000", here).granted
    for _ in range(b.door.policy.lockout.free_failures + 1):  # wrong codes until the device is locked out
        if "Too many" in validate_otp(b.door, "000000", here).message:
            break
    with recorder.use_case("validateOtp locked"):
        assert "Too many" in validate_otp(b.door, "000000", here).message
    b.clock.advance(minutes=11)  # past the visitor's cooldown and the phone's SMS window
    event, frame = b.event((ADA[0], ADA[1] + 0.001), 1)
    with recorder.use_case("returning visitor"):
        record_face_event(b.door, event, frame)
    b.dispatch("returning visitor")
    with recorder.use_case("forget visitor"):
        forget_visitor(b.door, owner, registration.visitor.id)
    return {name: calls for name, calls in recorder.calls.items() if only(name)}


def table(calls: dict[str, list[Call]]) -> str:
    lines = [f"{'use case':<36} {'n':>3} {'naive':>5}  calls in order"]
    for name, made in calls.items():
        naive = NAIVE.get(name)
        order = ", ".join(f"{s}.{op}" for s, op in made)
        lines.append(f"{name:<36} {len(made):>3} {naive[0] if naive else '':>5}  {order}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "aws_calls.json")
    args = parser.parse_args()
    with moto_server() as endpoint:
        calls = run_use_cases(endpoint)
    print(table(calls))
    result = {
        name: {"count": len(made), "calls": [f"{s}.{op}" for s, op in made], "naive": NAIVE.get(name)}
        for name, made in calls.items()
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
