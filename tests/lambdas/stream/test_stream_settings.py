"""The freshness limit is a setting, read into the Door's policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartdoor.config import Settings

pytestmark = pytest.mark.lambdas


def test_the_age_limit_comes_from_the_environment() -> None:
    settings = Settings.from_env({"SMARTDOOR_FACE_EVENT_MAX_AGE_SECONDS": "60"})

    assert settings.policy().face_event_max_age == timedelta(seconds=60)


def test_the_default_age_limit_outlasts_rekognitions_usual_delay() -> None:
    assert Settings.from_env({}).policy().face_event_max_age == timedelta(seconds=300)


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_bad_age_limit_names_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="SMARTDOOR_FACE_EVENT_MAX_AGE_SECONDS"):
        Settings.from_env({"SMARTDOOR_FACE_EVENT_MAX_AGE_SECONDS": value})
