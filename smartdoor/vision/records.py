"""Write what the local analyser saw in the record shape Rekognition Video writes to Kinesis, so the
core's one sighting use case (and decode_face_record) serves the camera and the Lambda alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartdoor.domain.model import FaceMatch
from smartdoor.vision.analyser import Descriptor, FaceBox


@dataclass(frozen=True)
class SeenFace:
    box: FaceBox
    matches: tuple[FaceMatch, ...]
    descriptor: Descriptor | None


def face_search_record(
    camera_id: str, frame_time: datetime, size: tuple[int, int], faces: list[SeenFace], frame_id: str
) -> dict[str, Any]:
    """``frame_id`` is unique per analysed frame: it stands where Kinesis puts its fragment number, so the
    record has an identity like a stream's (the sighting use case handles each identity once)."""
    width, height = size
    return {
        "InputInformation": {
            "KinesisVideo": {
                "StreamArn": f"arn:smartdoor:local:camera:stream/{camera_id}/0",
                "FragmentNumber": frame_id,
                "ProducerTimestamp": frame_time.timestamp(),
                "FrameOffsetInSeconds": 0.0,
            }
        },
        "StreamProcessorInformation": {"Status": "RUNNING"},
        "FaceSearchResponse": [
            {
                "DetectedFace": {
                    "BoundingBox": {
                        "Left": face.box.left / width,
                        "Top": face.box.top / height,
                        "Width": face.box.width / width,
                        "Height": face.box.height / height,
                    },
                    # HOG scores are margins (~0.3..3), not percent; map them into Rekognition's scale.
                    "Confidence": round(min(99.99, 50.0 + 20.0 * face.box.score), 2),
                    **(
                        {"Descriptor": [float(v) for v in face.descriptor]}
                        if face.descriptor is not None
                        else {}
                    ),
                },
                "MatchedFaces": [
                    {
                        "Similarity": m.similarity,
                        # Face ids only: who a face is, is the core's FaceOwners' to say.
                        "Face": {"FaceId": m.face_id},
                    }
                    for m in face.matches
                ],
            }
            for face in faces
        ],
    }
