"""What the frame path takes as a frame: a JPEG or a PNG of at most the bytes Rekognition accepts.

Checked before any call is paid for: an object that is no picture would fail the same way on every retry.
"""

from __future__ import annotations

from smartdoor.domain.errors import BadFaceEvent

# Rekognition's limit on image bytes passed in a request (DetectFaces, SearchFacesByImage): 5 MB.
MAX_FRAME_BYTES = 5 * 1024 * 1024

_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # the only formats Rekognition's image APIs read


def check_frame(data: bytes) -> None:
    """BadFaceEvent unless ``data`` starts as a JPEG or a PNG does and fits Rekognition's limit."""
    if len(data) > MAX_FRAME_BYTES:
        raise BadFaceEvent(f"the frame is {len(data)} bytes; Rekognition takes at most {MAX_FRAME_BYTES}")
    if not data.startswith(_SIGNATURES):
        raise BadFaceEvent(f"the frame is neither a JPEG nor a PNG (it starts {data[:8]!r})")
