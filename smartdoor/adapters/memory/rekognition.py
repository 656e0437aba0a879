"""A Rekognition collection in memory, answering the calls the door makes as Rekognition answers them.

moto has no Rekognition collections. This fake takes the same keyword arguments and returns the same
response shapes as the boto3 client's ``index_faces``, ``search_faces``, ``search_faces_by_image``,
``detect_faces`` and ``delete_faces``, so the Rekognition adapter runs over it unchanged (behind a real
botocore client in the tests, which checks every request and response against the service model).

It cannot see faces in pixels; what an image shows is told to it: a *marked image* (``marked_image``) lists
its faces, each with a box and a likeness (a few numbers). Two faces are as similar as their likenesses are
close: ``100 * (1 - distance)``, so a test picks exact similarities. The semantics kept are the ones the door
relies on: IndexFaces and SearchFacesByImage take the largest face of the image, MaxFaces and QualityFilter
decide what is indexed, SearchFaces never returns the searched face, DeleteFaces reports ids already gone.
"""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from smartdoor.adapters.crop_region import padded
from smartdoor.domain.model import BoundingBox

MARK = b"SMARTDOOR-MARKED-IMAGE\n"
# The quality each QualityFilter asks of a face (the fake's own scale, 0..100).
QUALITY_BARS = {"NONE": 0.0, "LOW": 25.0, "AUTO": 50.0, "MEDIUM": 50.0, "HIGH": 75.0}


@dataclass(frozen=True)
class SeenFace:
    """A face as the fake sees it in an image: where, who (``likeness``), and how good a picture."""

    box: BoundingBox
    likeness: tuple[float, ...]
    quality: float = 90.0
    confidence: float = 99.9


def marked_image(*faces: SeenFace) -> bytes:
    """Image bytes that the fake reads as holding exactly these faces."""
    listed = [
        {
            "box": [f.box.left, f.box.top, f.box.width, f.box.height],
            "likeness": list(f.likeness),
            "quality": f.quality,
            "confidence": f.confidence,
        }
        for f in faces
    ]
    return MARK + json.dumps(listed).encode()


def read_marked_image(image: bytes) -> list[SeenFace]:
    """The faces a marked image lists; no face in anything else."""
    if not image.startswith(MARK):
        return []
    return [
        SeenFace(BoundingBox(*f["box"]), tuple(f["likeness"]), f["quality"], f["confidence"])
        for f in json.loads(image[len(MARK) :])
    ]


class MarkedImageCropper:
    """The FaceCropper for marked images: keeps the faces whose centre falls in the padded box, as a real
    crop keeps what is inside it, with their boxes made relative to the crop."""

    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None:
        if not frame.startswith(MARK):
            return None
        region = padded(box)
        if region.width <= 0 or region.height <= 0:
            return None
        kept = []
        for face in read_marked_image(frame):
            b = face.box
            cx, cy = b.left + b.width / 2, b.top + b.height / 2
            if (
                region.left <= cx <= region.left + region.width
                and region.top <= cy <= region.top + region.height
            ):
                relative = BoundingBox(
                    (b.left - region.left) / region.width,
                    (b.top - region.top) / region.height,
                    b.width / region.width,
                    b.height / region.height,
                )
                kept.append(SeenFace(relative, face.likeness, face.quality, face.confidence))
        return marked_image(*kept)


def _error(operation: str, code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def _box(box: BoundingBox) -> dict[str, float]:
    return {"Left": box.left, "Top": box.top, "Width": box.width, "Height": box.height}


def _largest(faces: Sequence[SeenFace]) -> list[SeenFace]:
    return sorted(faces, key=lambda f: f.box.width * f.box.height, reverse=True)


@dataclass(frozen=True)
class _Stored:
    face: SeenFace
    image_id: str
    external_image_id: str | None


class FakeRekognition:
    """Collections of faces, made with ``create_collection``. ``see`` reads faces out of image bytes
    (marked images unless told otherwise); ``calls`` lists each call's operation name and arguments, and
    ``fail_next`` makes the next call of an operation fail with a service error code."""

    def __init__(self, see: Callable[[bytes], Sequence[SeenFace]] = read_marked_image) -> None:
        self._see = see
        self._lock = threading.Lock()
        self._count = 0
        self.collections: dict[str, dict[str, _Stored]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[str]] = {}

    # --- inspection and set-up ----------------------------------------------------------------------

    def create_collection(self, CollectionId: str, **_: Any) -> dict[str, Any]:
        with self._lock:
            self._called("CreateCollection", {"CollectionId": CollectionId})
            if CollectionId in self.collections:
                raise _error("CreateCollection", "ResourceAlreadyExistsException", CollectionId)
            self.collections[CollectionId] = {}
        return {"StatusCode": 200, "CollectionArn": f"aws:rekognition:fake:collection/{CollectionId}"}

    def fail_next(self, operation: str, code: str) -> None:
        """The next ``operation`` (e.g. "IndexFaces") answers with this error code instead."""
        with self._lock:
            self._failures.setdefault(operation, []).append(code)

    def face_ids(self, collection_id: str) -> set[str]:
        with self._lock:
            return set(self.collections[collection_id])

    # --- the API ---------------------------------------------------------------------------------------

    def index_faces(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            collection = self._collection("IndexFaces", request)
            faces = _largest(self._image("IndexFaces", request))
            bar = QUALITY_BARS[request.get("QualityFilter", "AUTO")]
            max_faces = request.get("MaxFaces", 100)
            records: list[dict[str, Any]] = []
            unindexed: list[dict[str, Any]] = []
            for face in faces:
                reasons = []
                if face.quality < bar:
                    reasons.append("LOW_FACE_QUALITY")
                if not reasons and len(records) >= max_faces:
                    reasons.append("EXCEEDS_MAX_FACES")
                detail = {"BoundingBox": _box(face.box), "Confidence": face.confidence}
                if reasons:
                    unindexed.append({"Reasons": reasons, "FaceDetail": detail})
                    continue
                face_id, image_id = self._new_id(), self._new_id()
                collection[face_id] = _Stored(face, image_id, request.get("ExternalImageId"))
                records.append({"Face": self._face(face_id, collection[face_id]), "FaceDetail": detail})
        return {"FaceRecords": records, "UnindexedFaces": unindexed, "FaceModelVersion": "7.0"}

    def search_faces(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            collection = self._collection("SearchFaces", request)
            face_id = request["FaceId"]
            if face_id not in collection:
                # What Rekognition answers for a face id it does not hold (deleted, or never indexed).
                raise _error(
                    "SearchFaces", "InvalidParameterException", "faceId was not found in the collection."
                )
            searched = collection[face_id].face
            matches = self._matches(collection, searched, request, exclude=face_id)
        return {"SearchedFaceId": face_id, "FaceMatches": matches, "FaceModelVersion": "7.0"}

    def search_faces_by_image(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            collection = self._collection("SearchFacesByImage", request)
            faces = _largest(self._image("SearchFacesByImage", request))
            if not faces:
                raise _error(
                    "SearchFacesByImage", "InvalidParameterException", "There are no faces in the image."
                )
            largest = faces[0]  # only the largest face is searched: the API's documented behaviour
            matches = self._matches(collection, largest, request, exclude=None)
        return {
            "SearchedFaceBoundingBox": _box(largest.box),
            "SearchedFaceConfidence": largest.confidence,
            "FaceMatches": matches,
            "FaceModelVersion": "7.0",
        }

    def detect_faces(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            faces = self._image("DetectFaces", request)
        return {"FaceDetails": [{"BoundingBox": _box(f.box), "Confidence": f.confidence} for f in faces]}

    def delete_faces(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            collection = self._collection("DeleteFaces", request)
            deleted, missing = [], []
            for face_id in request["FaceIds"]:
                if collection.pop(face_id, None) is not None:
                    deleted.append(face_id)
                else:
                    missing.append({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]})
        answer: dict[str, Any] = {"UnsuccessfulFaceDeletions": missing}
        if deleted:  # the model's DeletedFaces has at least one id: none deleted, none listed
            answer["DeletedFaces"] = deleted
        return answer

    # --- internals ---------------------------------------------------------------------------------

    def _called(self, operation: str, request: dict[str, Any]) -> None:
        self.calls.append((operation, dict(request)))
        failures = self._failures.get(operation)
        if failures:
            raise _error(operation, failures.pop(0), f"injected for {operation}")

    def _collection(self, operation: str, request: dict[str, Any]) -> dict[str, _Stored]:
        self._called(operation, request)
        collection = self.collections.get(request["CollectionId"])
        if collection is None:
            raise _error(
                operation, "ResourceNotFoundException", f"Collection {request['CollectionId']} not found"
            )
        return collection

    def _image(self, operation: str, request: dict[str, Any]) -> Sequence[SeenFace]:
        if operation == "DetectFaces":
            self._called(operation, request)
        image = request["Image"]
        if "Bytes" not in image:
            raise _error(operation, "InvalidParameterException", "the fake reads image bytes only, not S3")
        return self._see(bytes(image["Bytes"]))

    def _new_id(self) -> str:
        # UUID-shaped as Rekognition's are (the service model's pattern for FaceId), and in order.
        self._count += 1
        return str(uuid.UUID(int=self._count, version=4))

    def _face(self, face_id: str, stored: _Stored) -> dict[str, Any]:
        face: dict[str, Any] = {
            "FaceId": face_id,
            "BoundingBox": _box(stored.face.box),
            "ImageId": stored.image_id,
            "Confidence": stored.face.confidence,
        }
        if stored.external_image_id is not None:
            face["ExternalImageId"] = stored.external_image_id
        return face

    def _matches(
        self, collection: dict[str, _Stored], searched: SeenFace, request: dict[str, Any], exclude: str | None
    ) -> list[dict[str, Any]]:
        threshold = request.get("FaceMatchThreshold", 80.0)
        found = [
            (similarity(searched.likeness, stored.face.likeness), face_id, stored)
            for face_id, stored in collection.items()
            if face_id != exclude
        ]
        found = [f for f in found if f[0] >= threshold]
        found.sort(key=lambda f: (-f[0], f[1]))
        return [
            {"Similarity": score, "Face": self._face(face_id, stored)}
            for score, face_id, stored in found[: request.get("MaxFaces", 80)]
        ]


def similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Percent, 0..100: 100 for equal likenesses, 0 from a distance of 1 on."""
    return max(0.0, 100.0 * (1.0 - math.dist(a, b)))
