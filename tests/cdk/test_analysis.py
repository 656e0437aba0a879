"""The collection, KVS1, and each analysis mode's functions, triggers, dead letters and alarms."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest

from smartdoor.config import PREFIX, Settings
from smartdoor_cdk.environment import door_environment
from smartdoor_cdk.parameters import DEFAULTS, Parameters
from tests.cdk.conftest import Synthesised

pytestmark = pytest.mark.cdk


def _function(synth: Synthesised, prefix: str) -> tuple[str, dict[str, Any]]:
    logical = synth.logical_id("AWS::Lambda::Function", prefix)
    return logical, synth.resources("AWS::Lambda::Function")[logical]["Properties"]


def _of_function(synth: Synthesised, kind: str, function: str) -> list[dict[str, Any]]:
    """The resources of ``kind`` whose FunctionName is ``function``'s."""
    return [r for r in synth.resources(kind).values() if r["Properties"]["FunctionName"] == {"Ref": function}]


def test_the_collection_and_kvs1_exist_in_both_modes(either: Synthesised) -> None:
    (collection,) = either.resources("AWS::Rekognition::Collection").values()
    assert collection["Properties"]["CollectionId"] == "smartdoor-faces"
    (stream,) = either.resources("AWS::KinesisVideo::Stream").values()
    assert stream["Properties"]["DataRetentionInHours"] >= 1


def test_every_function_variable_is_a_setting_of_smartdoor_config(either: Synthesised) -> None:
    known = {PREFIX + name.upper() for name in Settings.__dataclass_fields__}
    for logical, function in either.resources("AWS::Lambda::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if logical.startswith(("Api", "Analysis", "Outbox")):
            assert set(variables) <= known, logical
            assert {"SMARTDOOR_PHOTO_BUCKET", "SMARTDOOR_HMAC_SECRET_ID", "SMARTDOOR_TABLE_PASSCODES"} <= set(
                variables
            )


def test_an_unknown_setting_name_fails_the_synth() -> None:
    with pytest.raises(ValueError, match="no_such_setting"):
        door_environment(no_such_setting="x")


def test_frames_mode_runs_the_frame_handler_on_frame_uploads(frames: Synthesised) -> None:
    logical, handler = _function(frames, "AnalysisFrameHandler")
    assert handler["Handler"] == "stream_handler.frames.handler"
    assert handler["Environment"]["Variables"]["SMARTDOOR_KVS_STREAMS"] == {
        "Ref": frames.logical_id("AWS::KinesisVideo::Stream", "AnalysisKVS1")
    }
    (notification,) = frames.resources("Custom::S3BucketNotifications").values()
    (config,) = notification["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": [logical, "Arn"]}
    assert config["Filter"] == {
        "Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}, {"Name": "prefix", "Value": "frames/"}]}
    }
    (invoke,) = _of_function(frames, "AWS::Lambda::EventInvokeConfig", logical)
    assert invoke["Properties"]["MaximumRetryAttempts"] == 2
    queue = frames.logical_id("AWS::SQS::Queue", "AnalysisFrameHandlerFailures")
    assert invoke["Properties"]["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}
    }
    assert not frames.resources("AWS::Rekognition::StreamProcessor")
    assert not frames.resources("AWS::Kinesis::Stream")
    # the one stream mapping is the outbox sender's
    (mapping,) = frames.resources("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionName"]["Ref"].startswith("OutboxSender")


def test_stream_processor_mode_searches_kvs1_into_kds1(stream_processor: Synthesised) -> None:
    s = stream_processor
    (kds,) = s.resources("AWS::Kinesis::Stream").values()
    assert kds["Properties"]["Name"].startswith("AmazonRekognition")
    (processor,) = s.resources("AWS::Rekognition::StreamProcessor").values()
    kvs = s.logical_id("AWS::KinesisVideo::Stream", "AnalysisKVS1")
    kds_id = s.logical_id("AWS::Kinesis::Stream", "AnalysisKDS1")
    props = processor["Properties"]
    assert props["KinesisVideoStream"] == {"Arn": {"Fn::GetAtt": [kvs, "Arn"]}}
    assert props["KinesisDataStream"] == {"Arn": {"Fn::GetAtt": [kds_id, "Arn"]}}
    assert props["FaceSearchSettings"]["FaceMatchThreshold"] == Settings.match_threshold
    assert not s.resources("Custom::S3BucketNotifications")


def test_the_stream_handler_trigger_is_bounded_and_reports_item_failures(
    stream_processor: Synthesised,
) -> None:
    s = stream_processor
    logical, handler = _function(s, "AnalysisStreamHandler")
    assert handler["Handler"] == "stream_handler.handler"
    (mapping,) = _of_function(s, "AWS::Lambda::EventSourceMapping", logical)
    queue = s.logical_id("AWS::SQS::Queue", "AnalysisStreamHandlerFailures")
    props = mapping["Properties"]
    assert props["FunctionName"] == {"Ref": logical}
    assert props["EventSourceArn"] == {
        "Fn::GetAtt": [s.logical_id("AWS::Kinesis::Stream", "AnalysisKDS1"), "Arn"]
    }
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == 3
    assert props["MaximumRecordAgeInSeconds"] == 3600
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}}


def test_parameters_default_as_documented_and_refuse_an_unknown_mode() -> None:
    defaults = Parameters.from_context(cdk.App())
    assert (defaults.analysis, defaults.purge_days, defaults.owner_group) == ("frames", 30, "owners")
    assert DEFAULTS["analysis"] == "frames"
    with pytest.raises(ValueError, match="analysis"):
        Parameters.from_context(cdk.App(context={"analysis": "video"}))
    with pytest.raises(ValueError, match="purge_days"):
        Parameters.from_context(cdk.App(context={"purge_days": "0"}))
