"""Answers a test hands botocore at its before-send hook in place of the service's: botocore sends nothing
then, and its retry handler and error parser read the answer as they would the service's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

JSON = HTTPHeaders.from_dict({"Content-Type": "application/json"})
DYNAMODB_JSON = HTTPHeaders.from_dict({"Content-Type": "application/x-amz-json-1.0"})
XML = HTTPHeaders.from_dict({"Content-Type": "text/xml"})


class _Body:
    # The raw stream botocore reads an answer's body from.
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def answer(request: Any, status: int, headers: HTTPHeaders, body: bytes) -> AWSResponse:
    """The service's answer to ``request``, as a before-send handler returns it."""
    return AWSResponse(request.url, status, headers, _Body(body))
