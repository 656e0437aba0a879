"""The AWS-only settings: table names default to tables.py's, and the Kinesis Video streams parse."""

from __future__ import annotations

import pytest

from smartdoor.adapters.aws import tables
from smartdoor.config import Settings, parse_streams


def test_table_names_default_to_the_shared_definitions_and_can_be_set() -> None:
    settings = Settings()
    assert {t.logical: getattr(settings, f"table_{t.logical}") for t in tables.TABLES} == {
        t.logical: t.default_name for t in tables.TABLES
    }
    assert Settings.from_env({"SMARTDOOR_TABLE_FACES": "door-prod-faces"}).table_faces == "door-prod-faces"


def test_streams_are_one_name_or_camera_stream_pairs() -> None:
    assert parse_streams("KVS1") == {"KVS1": "KVS1"}  # a record names its camera by the stream
    assert parse_streams(" front=KVS1 , back = KVS2,") == {"front": "KVS1", "back": "KVS2"}
    assert parse_streams("") == {}


@pytest.mark.parametrize("bad", ["front=", "front=KVS1,front=KVS2", "KVS1,KVS1"])
def test_a_bad_stream_list_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="SMARTDOOR_KVS_STREAMS"):
        Settings.from_env({"SMARTDOOR_KVS_STREAMS": bad})
