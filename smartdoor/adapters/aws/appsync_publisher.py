"""The SightingPublisher on AppSync: the IAM-only ``publishSighting`` mutation, which fires the console's
``onSighting`` subscription.

AppSync sends subscribers only the fields the mutation selected (a field left out arrives as null), so the
selection is the console's own (``SIGHTING`` in frontend/static/console.js; a test holds the two equal).
A failed publish never fails the flow: the sighting is stored, and the console refetches its list whenever it
reconnects; the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication
from gql.transport.exceptions import TransportError
from graphql import GraphQLError

from smartdoor.api_shapes import format_datetime
from smartdoor.domain.model import Photo, Sighting

log = logging.getLogger("smartdoor.appsync")

SIGHTING_SELECTION = "id faceId cameraId status createdAt visitorId photo { url } facePhoto { url }"
PUBLISH_SIGHTING = (
    "mutation PublishSighting($input: PublishSightingInput!) "
    f"{{ publishSighting(input: $input) {{ {SIGHTING_SELECTION} }} }}"
)
# What a publish can meet, by type: AppSync's errors and HTTP failures (gql), the connection (aiohttp, the
# timeout), signing without credentials (botocore), an answer that is not GraphQL.
PUBLISH_ERRORS = (TransportError, aiohttp.ClientError, TimeoutError, BotoCoreError, GraphQLError)


def _photo(photo: Photo | None, url: Callable[[Photo], str] | None) -> dict[str, Any] | None:
    if photo is None:
        return None
    return {
        "objectKey": photo.object_key,
        "bucket": photo.bucket,
        "createdTimestamp": format_datetime(photo.created_timestamp),
        "url": url(photo) if url is not None else None,
    }


def publish_input(sighting: Sighting, photo_url: Callable[[Photo], str] | None = None) -> dict[str, Any]:
    """The mutation's PublishSightingInput for this sighting (its photos with a link when one can be made)."""
    return {
        "id": sighting.id,
        "faceId": sighting.face_id,
        "cameraId": sighting.camera_id,
        "status": sighting.status.value,
        "createdAt": format_datetime(sighting.created_at),
        "photo": _photo(sighting.photo, photo_url),
        "visitorId": sighting.visitor_id,
        "decidedAt": format_datetime(sighting.decided_at) if sighting.decided_at is not None else None,
        "facePhoto": _photo(sighting.face_photo, photo_url),
    }


class AppSyncPublisher:
    """Calls publishSighting on the API at ``url``, signed with SigV4 for ``region`` (the IAM auth mode).

    ``photo_url`` (the PhotoStore's ``url``) makes the short-lived links the console shows; without it the
    photos go without one.
    """

    def __init__(
        self,
        url: str,
        region: str,
        credentials: Credentials,
        photo_url: Callable[[Photo], str] | None = None,
        timeout_seconds: int = 5,
    ) -> None:
        self._url = url
        self._host = urlsplit(url).netloc
        self._region = region
        self._credentials = credentials
        self._photo_url = photo_url
        self._timeout = timeout_seconds

    def publish(self, sighting: Sighting) -> None:
        request = GraphQLRequest(
            PUBLISH_SIGHTING,
            variable_values={"input": publish_input(sighting, self._photo_url)},
            operation_name="PublishSighting",
        )
        try:
            asyncio.run(self._send(request))
        except PUBLISH_ERRORS:
            log.exception("could not publish sighting %s to the console (it is stored)", sighting.id)

    async def _send(self, request: GraphQLRequest) -> None:
        auth = AppSyncIAMAuthentication(
            host=self._host, region_name=self._region, credentials=self._credentials
        )
        transport = AIOHTTPTransport(url=self._url, auth=auth, timeout=self._timeout)
        async with Client(transport=transport, execute_timeout=self._timeout) as session:
            await session.execute(request)
