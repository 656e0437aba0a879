"""Run inside the clean Lambda-like interpreter (as ``python -c``, so that no test folder joins the path):
import a handler, answer one canonical event, crop a JPEG and a PNG with the packaged Pillow, and print what
happened and every module loaded, as one JSON line.

argv: the handler's module ("resolvers.app" or "stream_handler") and the event file. No SMARTDOOR_* setting is
set, so the Door cannot be built (no photo bucket): the handler must answer that failure its own way, before
any AWS call.
"""

import importlib
import io
import json
import sys
from typing import Any

import boto3
from PIL import Image

from smartdoor.adapters.aws.face_crop import PillowFaceCropper
from smartdoor.domain.model import BoundingBox

module, event_file = sys.argv[1], sys.argv[2]
with open(event_file) as file:
    event = json.load(file)

outcome: dict[str, Any] = {}
handler = importlib.import_module(module).handler
try:
    outcome["answer"] = handler(event, None)
except Exception as exc:
    outcome["error"] = type(exc).__name__

crops: dict[str, str | None] = {}
for fmt in ("JPEG", "PNG"):
    frame = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(frame, fmt)
    crop = PillowFaceCropper().crop(frame.getvalue(), BoundingBox(0.25, 0.25, 0.5, 0.5))
    crops[fmt] = None if crop is None else crop[:2].hex()
outcome["crops"] = crops
outcome["boto3"] = boto3.__file__
outcome["loaded"] = sorted(sys.modules)
print(json.dumps(outcome))
