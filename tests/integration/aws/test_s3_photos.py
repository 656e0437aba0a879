"""The PhotoStore port on S3 (moto server): the shared photo contract, then what only S3 does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.config import Config
from botocore.stub import Stubber

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.aws.photo_tags import REGISTERED, REGISTERED_TAG, UNREGISTERED
from smartdoor.adapters.aws.s3_photos import S3PhotoStore
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Photo

# The photo contract that the memory and file stores pass, collected here once more against S3.
from tests.integration.test_store_contracts import (
    Photos,
    test_a_kept_photo_stays_readable,
    test_photos_round_trip,
)

from .conftest import Aws

__all__ = [
    "test_a_kept_photo_stays_readable",
    "test_photos_round_trip",
]  # re-exported on purpose: pytest runs it here with the S3 `photos`

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) + b"\xff\xd9"


@pytest.fixture
def s3_store(aws: Aws) -> S3PhotoStore:
    client = aws.s3()
    # The contract asserts the bucket "local" (the name its other stores use); any bucket name works here.
    client.create_bucket(Bucket="local")
    return S3PhotoStore(client, "local")


@pytest.fixture
def photos(aws: Aws, s3_store: S3PhotoStore) -> Photos:
    def read(photo: Photo) -> bytes | None:
        status, body, _ = aws.get(s3_store.url(photo))
        return body if status == 200 else None

    return Photos(s3_store, read)


def test_a_presigned_link_fetches_the_photo_for_five_minutes(aws: Aws, s3_store: S3PhotoStore) -> None:
    photo = s3_store.put("sightings/s1.jpg", JPEG, "image/jpeg", T0)

    url = s3_store.url(photo)

    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert (parts.path, query["X-Amz-Algorithm"], query["X-Amz-Expires"]) == (
        "/local/sightings/s1.jpg",
        "AWS4-HMAC-SHA256",
        "300",
    )
    assert query["X-Amz-SignedHeaders"] == "host"
    assert aws.get(url) == (200, JPEG, "image/jpeg")


def test_the_link_lifetime_is_the_store_s_and_stays_minutes(aws: Aws) -> None:
    client = aws.s3()
    client.create_bucket(Bucket="photos")
    store = S3PhotoStore(client, "photos", url_lifetime=timedelta(minutes=2))
    url = store.url(store.put("k.jpg", JPEG, "image/jpeg", T0))
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["120"]
    for lifetime in (timedelta(0), timedelta(hours=1, seconds=1), timedelta(days=7)):
        with pytest.raises(ValueError, match="url_lifetime"):
            S3PhotoStore(client, "photos", url_lifetime=lifetime)


def test_objects_are_private_with_a_private_cache_policy(aws: Aws, s3_store: S3PhotoStore) -> None:
    s3_store.put("sightings/s1.jpg", JPEG, "image/jpeg", T0)
    client = aws.s3()
    head = client.head_object(Bucket="local", Key="sightings/s1.jpg")
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", "private, max-age=300")
    assert aws.get(f"{aws.endpoint}/local/sightings/s1.jpg")[0] == 403  # no signature, no photo
    grants = client.get_object_acl(Bucket="local", Key="sightings/s1.jpg")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public-read grant
    assert [g["Grantee"]["Type"] for g in grants] == ["CanonicalUser"]


def test_a_photo_of_another_bucket_is_linked_and_deleted_there(aws: Aws, s3_store: S3PhotoStore) -> None:
    # Seed records name their bucket; the store follows the record, not its own default.
    client = aws.s3()
    client.create_bucket(Bucket="seed-photos")
    client.put_object(Bucket="seed-photos", Key="visitors/v1.jpg", Body=JPEG)
    seeded = Photo("visitors/v1.jpg", "seed-photos", T0)
    assert aws.get(s3_store.url(seeded))[:2] == (200, JPEG)
    s3_store.delete(seeded)
    assert client.list_objects_v2(Bucket="seed-photos").get("KeyCount") == 0


def test_throttling_is_storage_unavailable(aws: Aws) -> None:
    client = aws.s3()
    store = S3PhotoStore(client, "local")
    with Stubber(client) as stub:
        stub.add_client_error("put_object", service_error_code="SlowDown", http_status_code=503)
        stub.add_client_error("delete_object", service_error_code="ThrottlingException", http_status_code=400)
        with pytest.raises(StorageUnavailable, match="throttled"):
            store.put("k.jpg", JPEG, "image/jpeg", T0)
        with pytest.raises(StorageUnavailable, match="throttled"):
            store.delete(Photo("k.jpg", "local", T0))
        stub.assert_no_pending_responses()


def test_a_missing_bucket_and_no_server_are_storage_unavailable_not_client_errors(aws: Aws) -> None:
    with pytest.raises(StorageUnavailable):
        S3PhotoStore(aws.s3(), "no-such-bucket").put("k.jpg", JPEG, "image/jpeg", T0)
    # Nothing listens on port 9 of 127.0.0.1 (discard): the connection is refused at once.
    one_try = client_config(signature_version="s3v4").merge(Config(retries={"total_max_attempts": 1}))
    offline = aws.session.client("s3", endpoint_url="http://127.0.0.1:9", config=one_try)
    with pytest.raises(StorageUnavailable, match="EndpointConnectionError"):
        S3PhotoStore(offline, "local").put("k.jpg", JPEG, "image/jpeg", T0)


def tags(aws: Aws, key: str) -> dict[str, str]:
    tag_set = aws.s3().get_object_tagging(Bucket="local", Key=key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tag_set}


def test_a_sighting_s_snapshot_is_stored_marked_unregistered(aws: Aws, s3_store: S3PhotoStore) -> None:
    s3_store.put("sightings/s1.jpg", JPEG, "image/jpeg", T0)
    s3_store.put("sightings/s1-face.jpg", JPEG, "image/jpeg", T0)
    assert tags(aws, "sightings/s1.jpg") == {REGISTERED_TAG: UNREGISTERED}
    assert tags(aws, "sightings/s1-face.jpg") == {"smartdoor:registered": "false"}  # the CDK rule's words


def test_a_visitor_s_own_photos_are_outside_the_purge_and_untagged(aws: Aws, s3_store: S3PhotoStore) -> None:
    s3_store.put("visitors/v1/enrolled-1.jpg", JPEG, "image/jpeg", T0)
    assert tags(aws, "visitors/v1/enrolled-1.jpg") == {}


def test_keeping_a_snapshot_marks_it_registered(aws: Aws, s3_store: S3PhotoStore) -> None:
    photo = s3_store.put("sightings/s1.jpg", JPEG, "image/jpeg", T0)
    s3_store.keep(photo)
    assert tags(aws, "sightings/s1.jpg") == {REGISTERED_TAG: REGISTERED}
    s3_store.keep(photo)  # again: the same state
    assert tags(aws, "sightings/s1.jpg") == {REGISTERED_TAG: REGISTERED}
    assert aws.get(s3_store.url(photo))[:2] == (200, JPEG)


def test_keeping_a_photo_outside_the_purge_or_already_gone_asks_nothing(
    aws: Aws, s3_store: S3PhotoStore
) -> None:
    client = aws.s3()
    with Stubber(client) as stub:  # no response stubbed: any request would fail the test
        s3_store.keep(Photo("visitors/v1/enrolled-1.jpg", "local", T0))
        stub.assert_no_pending_responses()
    s3_store.keep(Photo("sightings/gone.jpg", "local", T0))  # NoSuchKey: nothing left to purge either


def test_a_tag_change_that_fails_is_storage_unavailable(aws: Aws, s3_store: S3PhotoStore) -> None:
    photo = s3_store.put("sightings/s1.jpg", JPEG, "image/jpeg", T0)
    with Stubber(aws.s3()) as stub:
        stub.add_client_error("put_object_tagging", service_error_code="SlowDown", http_status_code=503)
        with pytest.raises(StorageUnavailable, match="throttled"):
            s3_store.keep(photo)
        stub.assert_no_pending_responses()
    assert tags(aws, "sightings/s1.jpg") == {REGISTERED_TAG: UNREGISTERED}
