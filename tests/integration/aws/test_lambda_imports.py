"""A Lambda ships smartdoor/adapters/aws: importing any of its modules must pull in nothing local or heavy.

Each module is imported alone in a fresh interpreter (modules already loaded here would hide an import),
and every module of the package is checked, so a new one is covered the day it is added.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import smartdoor.adapters.aws

pytestmark = pytest.mark.integration

FORBIDDEN = (
    "numpy",
    "sqlite3",
    "_sqlite3",
    "strawberry",
    "dlib",
    "cv2",
    "smartdoor.adapters.local",
    "smartdoor.server",
    "smartdoor.vision",
)
MODULES = sorted(
    ["smartdoor.adapters.aws", "smartdoor.adapters.mime", "smartdoor.adapters.crop_region"]
    + [m.name for m in pkgutil.iter_modules(smartdoor.adapters.aws.__path__, "smartdoor.adapters.aws.")]
)

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout)
    return modules


def test_every_module_of_the_package_is_checked() -> None:
    assert {
        "smartdoor.adapters.aws.dynamo_claims",
        "smartdoor.adapters.aws.dynamo_events",
        "smartdoor.adapters.aws.dynamo_face_owners",
        "smartdoor.adapters.aws.dynamo_items",
        "smartdoor.adapters.aws.dynamo_limits",
        "smartdoor.adapters.aws.dynamo_outbox",
        "smartdoor.adapters.aws.dynamo_passcodes",
        "smartdoor.adapters.aws.dynamo_registrations",
        "smartdoor.adapters.aws.dynamo_sightings",
        "smartdoor.adapters.aws.dynamo_visitors",
        "smartdoor.adapters.aws.errors",
        "smartdoor.adapters.aws.face_crop",
        "smartdoor.adapters.aws.kinesis_video_frames",
        "smartdoor.adapters.aws.rekognition_faces",
        "smartdoor.adapters.aws.outbox_dispatcher",
        "smartdoor.adapters.aws.s3_photos",
        "smartdoor.adapters.aws.ses_mailer",
        "smartdoor.adapters.aws.sns_sms",
        "smartdoor.adapters.aws.tables",
    } <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_nothing_a_lambda_must_not_ship(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    shipped_wrongly = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert shipped_wrongly == []
