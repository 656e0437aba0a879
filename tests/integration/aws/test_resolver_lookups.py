"""No N+1 behind the console's pages: a Sighting's and a Visitor's photos (and their presigned links) come in
the parent's answer, from the one read of the page, so a page costs one Lambda invocation and one table
read whatever its length. The CDK template wires no resolver below Query and Mutation
(tests/cdk/test_api.py); this counts the AWS calls one invocation makes, on the clients the Door uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bench.aws_calls import Call
from stream_handler import handler as stream_handler
from tests.lambdas.conftest import appsync_event, invoke

from .test_appsync_publisher import peer as peer
from .test_cloud_flow import Cloud, stranger_batch
from .test_cloud_flow import cloud as cloud

pytestmark = pytest.mark.integration


SERVICES = ("dynamodb", "s3", "sesv2", "sns", "rekognition", "kinesisvideo", "secretsmanager")


@contextmanager
def counted(cloud: Cloud) -> Iterator[list[Call]]:
    """The calls the Door's clients make inside the block, in order. The Door was stood up on the session's
    clients (one per service, cached by Aws), so these are the very clients its adapters call through."""
    calls: list[Call] = []
    hooks = []
    for service in SERVICES:
        client = cloud.aws.client(service)

        def record(model: Any, _service: str = service, **_: Any) -> None:
            calls.append((_service, model.name))

        name = f"before-call.{client.meta.service_model.service_id.hyphenize()}.*"
        # First, so it runs before a served fake's answer (a before-call that returns stops the chain).
        client.meta.events.register_first(name, record)
        hooks.append((client, name, record))
    try:
        yield calls
    finally:
        # The clients outlive the test (one per session): leave no hook behind.
        for client, name, record in hooks:
            client.meta.events.unregister(name, record)


def registered(cloud: Cloud) -> dict[str, Any]:
    """GIVEN a stranger seen, approved and registered: one sighting and one visitor, two photos each."""
    assert stream_handler(stranger_batch(cloud), None) == {"batchItemFailures": []}
    [sighting] = cloud.sightings()
    invoke(appsync_event("Mutation.approveVisitor.cognito", sightingId=sighting.id, decision="APPROVE"))
    done = invoke(
        appsync_event(
            "Mutation.registerVisitor.cognito",
            input={"sightingId": sighting.id, "name": "Ada Lovelace", "phoneNumber": "+44 20 7946 0958"},
        )
    )
    visitor: dict[str, Any] = done["visitor"]
    return visitor


def linked(photo: dict[str, Any] | None) -> bool:
    return photo is not None and str(photo["url"]).startswith("http")


def test_a_page_of_sightings_is_one_read_with_every_photo_link(cloud: Cloud) -> None:
    registered(cloud)
    with counted(cloud) as calls:
        page = invoke(appsync_event("Query.sightings.cognito", limit=50))
    [item] = page["items"]
    assert linked(item["photo"])
    assert linked(item["facePhoto"])
    assert calls == [("dynamodb", "Query")]


def test_a_page_of_visitors_is_one_read_with_every_photo_link(cloud: Cloud) -> None:
    registered(cloud)
    with counted(cloud) as calls:
        page = invoke(appsync_event("Query.visitors.cognito", limit=50))
    [item] = page["items"]
    assert len(item["photos"]) == 2
    assert all(linked(p) for p in item["photos"])
    assert calls == [("dynamodb", "Query")]


def test_one_sighting_is_one_read_with_its_photo_links(cloud: Cloud) -> None:
    registered(cloud)
    [sighting] = cloud.sightings()
    with counted(cloud) as calls:
        one = invoke(appsync_event("Query.sighting.cognito", id=sighting.id))
    assert linked(one["photo"])
    assert linked(one["facePhoto"])
    assert calls == [("dynamodb", "GetItem")]
