"""What only the DynamoDB repositories do, on the moto server: the seed's item shape, page tokens checked on
the way back in, and the atomic writes under real threads (photos appended, one decision per sighting)."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.dynamo_visitors import DynamoVisitors
from smartdoor.adapters.aws.tables import SIGHTINGS, VISITORS, create_table
from smartdoor.domain.errors import Conflict, InvalidInput
from smartdoor.domain.model import Photo, Sighting, SightingStatus, Visitor

from .conftest import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
PENDING = frozenset({SightingStatus.PENDING})


@pytest.fixture
def visitors(aws: Aws) -> DynamoVisitors:
    create_table(aws.dynamodb(), VISITORS)
    return DynamoVisitors(aws.dynamodb())


@pytest.fixture
def sightings(aws: Aws) -> DynamoSightings:
    create_table(aws.dynamodb(), SIGHTINGS)
    return DynamoSightings(aws.dynamodb())


def visitor(n: int) -> Visitor:
    photo = Photo(f"visitors/v{n}/0.jpg", "door-photos", T0)
    return Visitor(f"v{n}", f"face-{n}", f"Name {n}", "+12025550100", (photo,), T0 + n * MIN)


def token(key: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_a_visitor_is_stored_in_the_seeds_shape(aws: Aws, visitors: DynamoVisitors) -> None:
    visitors.add(visitor(1))
    item = aws.dynamodb().get_item(TableName="visitors", Key={"visitorId": {"S": "v1"}})["Item"]
    assert {k: item[k] for k in ("faceId", "name", "phoneNumber", "photos")} == {
        "faceId": {"S": "face-1"},
        "name": {"S": "Name 1"},
        "phoneNumber": {"S": "+12025550100"},
        "photos": {
            "L": [
                {
                    "M": {
                        "objectKey": {"S": "visitors/v1/0.jpg"},
                        "bucket": {"S": "door-photos"},
                        "createdTimestamp": {"N": "1795435200000000"},
                    }
                }
            ]
        },
    }


def test_an_id_is_added_once(visitors: DynamoVisitors) -> None:
    visitors.add(visitor(1))
    with pytest.raises(Conflict):
        visitors.add(visitor(1))


def test_concurrent_photos_all_land(visitors: DynamoVisitors) -> None:
    visitors.add(visitor(1))
    photos = [Photo(f"visitors/v1/{n}.jpg", "door-photos", T0 + n * MIN) for n in range(1, 11)]
    start = threading.Barrier(len(photos))

    def add(photo: Photo) -> None:
        start.wait(timeout=10)
        visitors.add_photo("v1", photo)

    with ThreadPoolExecutor(len(photos)) as pool:
        list(pool.map(add, photos))
    stored = visitors.get("v1")
    assert stored is not None
    assert sorted(p.object_key for p in stored.photos) == sorted(
        ["visitors/v1/0.jpg", *(p.object_key for p in photos)]
    )


def test_a_real_token_pages_and_a_tampered_one_is_refused(visitors: DynamoVisitors) -> None:
    for n in range(3):
        visitors.add(visitor(n))
    first = visitors.list(1, None)
    assert first.next_token is not None
    assert [v.id for v in visitors.list(5, first.next_token).items] == ["v1", "v0"]
    key = json.loads(base64.urlsafe_b64decode(first.next_token + "=="))
    assert key == {"createdKey": "00001795435320000000#v2", "feed": "ALL", "visitorId": "v2"}
    tampered = [
        token({**key, "extra": "x"}),  # a key this index does not have
        token({k: v for k, v in key.items() if k != "visitorId"}),
        token({**key, "feed": "OTHER"}),  # another partition than this listing's
        token({**key, "createdKey": "soon"}),
        token({**key, "visitorId": 7}),  # type: ignore[dict-item]
        token([1, 2]),  # type: ignore[arg-type]
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]
    for bad in tampered:
        with pytest.raises(InvalidInput) as caught:
            visitors.list(1, bad)
        assert caught.value.field == "nextToken"


def test_a_token_of_one_status_does_not_page_another(sightings: DynamoSightings) -> None:
    for n in range(3):
        sightings.add(Sighting(f"s{n}", f"face-{n}", "door", SightingStatus.PENDING, T0 + n * MIN))
    page = sightings.list(SightingStatus.PENDING, 1, None)
    assert page.next_token is not None
    assert [s.id for s in sightings.list(SightingStatus.PENDING, 5, page.next_token).items] == ["s1", "s0"]
    with pytest.raises(InvalidInput):
        sightings.list(SightingStatus.DENIED, 1, page.next_token)
    with pytest.raises(InvalidInput):
        sightings.list(None, 1, page.next_token)


def test_approve_and_deny_at_once_one_wins(sightings: DynamoSightings) -> None:
    sightings.add(Sighting("s1", "face-1", "door", SightingStatus.PENDING, T0))
    threads = 20
    start = threading.Barrier(threads)

    def decide(n: int) -> SightingStatus | str:
        to = SightingStatus.APPROVED if n % 2 else SightingStatus.DENIED
        start.wait(timeout=10)
        try:
            return sightings.transition("s1", PENDING, to, T0 + n * MIN).status
        except Conflict as exc:
            return str(exc)

    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(decide, range(threads)))
    winners = [o for o in outcomes if isinstance(o, SightingStatus)]
    assert len(winners) == 1
    stored = sightings.get("s1")
    assert stored is not None
    assert stored.status == winners[0]
    losers = {o for o in outcomes if not isinstance(o, SightingStatus)}
    assert losers == {f"This visitor was already handled: {winners[0].value.lower()}."}
