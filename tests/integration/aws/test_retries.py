"""Throttling is retried inside botocore (standard mode, as client_config sets it) and only what is left
after the last try reaches the core, as StorageUnavailable. The throttled answers are injected at botocore's
before-send hook, so the retry handler, the error parser and the adapter all run as they would on AWS."""

from __future__ import annotations

from typing import Any

import pytest

from smartdoor.adapters.aws.errors import MAX_ATTEMPTS
from smartdoor.adapters.aws.sns_sms import SnsSmsSender
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Sms

from .conftest import Aws
from .injected_answers import XML, answer

pytestmark = pytest.mark.integration

THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
    b"</Error><RequestId>r-1</RequestId></ErrorResponse>"
)


def test_throttled_sms_is_tried_max_attempts_times_then_storage_unavailable(aws: Aws) -> None:
    client = aws.session.client("sns", endpoint_url=aws.endpoint, config=aws.sns().meta.config)
    tries: list[str] = []

    def throttle(request: Any, **_: Any) -> Any:  # an AWSResponse: botocore sends nothing then
        tries.append(request.url)
        return answer(request, 400, XML, THROTTLED)

    client.meta.events.register("before-send.sns.Publish", throttle)

    with pytest.raises(StorageUnavailable, match="throttled"):
        SnsSmsSender(client).send(Sms("+12065550100", "Your code is 123456."))

    assert len(tries) == MAX_ATTEMPTS == 3
    assert aws.backend("sns").get("SMS", []) == []  # no try reached the server


def test_a_throttled_try_then_success_sends_once(aws: Aws) -> None:
    client = aws.session.client("sns", endpoint_url=aws.endpoint, config=aws.sns().meta.config)
    tries: list[str] = []

    def throttle_once(request: Any, **_: Any) -> Any:
        tries.append(request.url)
        if len(tries) == 1:
            return answer(request, 400, XML, THROTTLED)
        return None  # on to the moto server

    client.meta.events.register("before-send.sns.Publish", throttle_once)

    SnsSmsSender(client).send(Sms("+12065550100", "Your code is 123456."))

    assert len(tries) == 2
    assert [m["message"] for m in aws.backend("sns")["SMS"]] == ["Your code is 123456."]
