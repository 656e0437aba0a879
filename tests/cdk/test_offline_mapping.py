"""The cloud tier's Kinesis poller runs with the stream handler's mapping as the CDK app synthesises it."""

from __future__ import annotations

import pytest

from tests.cdk.conftest import Synthesised
from tests.cloud.cloud_door import STREAM_MAPPING

pytestmark = pytest.mark.cdk


def test_the_cloud_tier_polls_with_the_template_s_mapping_settings(stream_processor: Synthesised) -> None:
    (mapping,) = stream_processor.resources("AWS::Lambda::EventSourceMapping").values()
    synthesised = mapping["Properties"]
    assert {key: synthesised.get(key) for key in STREAM_MAPPING} == STREAM_MAPPING
