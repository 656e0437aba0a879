"""The FaceIndex port on a Rekognition collection, and the frame search of the frame path.

Built against the FaceIndex port by face id only (who a face is belongs to FaceOwnership)::

    class FaceIndex(Protocol):
        \"\"\"Faces the door can recognise, by face id only; who a face is belongs to FaceOwnership.\"\"\"
        def index_face(self, face: DetectedFace, frame: bytes | None) -> str: ...  # the new face id
        def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]: ...  # SearchFaces
        def delete(self, face_ids: Iterable[str]) -> None: ...

IndexFaces and SearchFacesByImage each take only the largest face of the image they are sent, and a frame
may show several people: so each face is cut out of the frame (with a margin) first, and it is the crop
that Rekognition sees. No ExternalImageId is written: it cannot be changed after IndexFaces, and who a face
is changes (pending sighting, then visitor), so identity lives in our own face-ownership records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.errors import aws_errors, error_code
from smartdoor.domain.errors import BadFaceEvent, Conflict, FaceNotIndexed, UnreadableFrame
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceMatch
from smartdoor.ports import FaceCropper

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_rekognition.type_defs import BoundingBoxTypeDef, FaceMatchTypeDef

log = logging.getLogger(__name__)

QualityFilter = Literal["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"]
# DeleteFaces takes at most this many ids per call (the service model's FaceIds max).
DELETE_BATCH = 4096
# SearchFaces and SearchFacesByImage return at most this many matches (the model allows 4096); the door
# needs the best few, and a match list of thousands would be a collection full of one person.
MAX_MATCHES = 100
# The errors that mean "this image gives no face to index or search", not an outage: Rekognition answers
# InvalidParameterException when it finds no face at all in the image.
NO_FACE = frozenset({"InvalidParameterException", "InvalidImageFormatException", "ImageTooLargeException"})


class _Gone(Exception):
    """Inside this module only: the face asked about is not there (an answer, not a failure)."""


@contextmanager
def _no_face_is(error: type[Exception], message: str) -> Iterator[None]:
    """Rekognition's "no face here" answers become ``error``; aws_errors translates every other error."""
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in NO_FACE:
            raise error(message) from exc
        raise


@contextmanager
def _unreadable_image() -> Iterator[None]:
    """InvalidImageFormat: these bytes are no image Rekognition reads, on this try and every later one."""
    try:
        yield
    except ClientError as exc:
        if error_code(exc) == "InvalidImageFormatException":
            raise UnreadableFrame("Rekognition reads no image in the face's crop") from exc
        raise


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _box(box: BoundingBoxTypeDef) -> BoundingBox:
    return BoundingBox(
        box.get("Left", 0.0), box.get("Top", 0.0), box.get("Width", 0.0), box.get("Height", 0.0)
    )


def _matches(found: Sequence[FaceMatchTypeDef]) -> tuple[FaceMatch, ...]:
    return tuple(
        FaceMatch(m["Face"]["FaceId"], m["Similarity"]) for m in found if "FaceId" in m.get("Face", {})
    )


class RekognitionFaceIndex:
    """One collection (created by the CDK app, not here). ``cropper`` cuts each face out of its frame
    (``PillowFaceCropper`` in a Lambda); ``quality_filter`` is IndexFaces' QualityFilter."""

    def __init__(
        self,
        client: RekognitionClient,
        collection_id: str,
        cropper: FaceCropper,
        quality_filter: QualityFilter = "AUTO",
    ) -> None:
        self._client = client
        self.collection_id = collection_id
        self._cropper = cropper
        self._quality_filter: QualityFilter = quality_filter

    def index_face(self, face: DetectedFace, frame: bytes | None) -> str:
        crop = self._crop(face, frame)
        with (
            aws_errors("index a face"),
            _no_face_is(FaceNotIndexed, "Rekognition found no face in the crop"),
            _unreadable_image(),
        ):
            response = self._client.index_faces(
                CollectionId=self.collection_id,
                Image={"Bytes": crop},
                MaxFaces=1,  # the largest face of the crop: this one, its neighbours are cut off or smaller
                QualityFilter=self._quality_filter,
                DetectionAttributes=[],
            )
        records = response.get("FaceRecords", [])
        if not records:
            reasons = sorted({r for u in response.get("UnindexedFaces", []) for r in u.get("Reasons", [])})
            raise FaceNotIndexed(
                "Rekognition indexed no face in the face's crop"
                + (f" ({', '.join(reasons)})" if reasons else ": it found none")
            )
        return records[0]["Face"]["FaceId"]

    def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]:
        try:
            with aws_errors("search the face index"), _no_face_is(_Gone, face_id):
                response = self._client.search_faces(
                    CollectionId=self.collection_id,
                    FaceId=face_id,
                    FaceMatchThreshold=threshold,
                    MaxFaces=MAX_MATCHES,
                )
        except _Gone:
            # InvalidParameterException: a face id the collection no longer holds (forgotten meanwhile).
            return ()
        return _matches(response.get("FaceMatches", []))

    def delete(self, face_ids: Iterable[str]) -> None:
        doomed = list(dict.fromkeys(face_ids))  # once each, in order
        held: list[str] = []
        for batch in _chunks(doomed, DELETE_BATCH):
            with aws_errors("delete faces"):
                response = self._client.delete_faces(CollectionId=self.collection_id, FaceIds=list(batch))
            for failed in response.get("UnsuccessfulFaceDeletions", []):
                # A face already gone is what deleting wanted; one tied to a Rekognition user is not gone.
                if "FACE_NOT_FOUND" not in failed.get("Reasons", []):
                    held.append(failed.get("FaceId", "?"))
        if held:
            raise Conflict(f"Rekognition kept faces still associated with a user: {', '.join(held)}")

    # --- the frame path --------------------------------------------------------------------------------

    def search_frame(
        self, frame: bytes, threshold: float, faces: Sequence[DetectedFace] | None = None
    ) -> tuple[DetectedFace, ...]:
        """Every face of a frame with its matches, as a stream-processor record decodes to.

        SearchFacesByImage searches only the largest face of its image, so the faces are found first
        (DetectFaces, once, unless the caller already has them) and each face's crop is searched on its own.
        A face Rekognition cannot find again in its crop is left out."""
        if faces is None:
            # Bytes Rekognition cannot read as an image (or too big) fail alike on every retry: a bad
            # frame, never an outage to retry.
            unreadable = "Rekognition cannot read the frame as an image"
            with aws_errors("find the faces in a frame"), _no_face_is(BadFaceEvent, unreadable):
                details = self._client.detect_faces(Image={"Bytes": frame}, Attributes=["DEFAULT"])
            faces = [
                DetectedFace(_box(d["BoundingBox"]), d.get("Confidence", 0.0))
                for d in details.get("FaceDetails", [])
                if "BoundingBox" in d
            ]
        searched = []
        for face in faces:
            crop = self._cropper.crop(frame, face.bounding_box)
            if crop is None:
                log.debug("a face at %s could not be cut out of the frame: left out", face.bounding_box)
                continue
            try:
                with aws_errors("search the face index"), _no_face_is(_Gone, "no face in the crop"):
                    response = self._client.search_faces_by_image(
                        CollectionId=self.collection_id,
                        Image={"Bytes": crop},
                        FaceMatchThreshold=threshold,
                        MaxFaces=MAX_MATCHES,
                        QualityFilter=self._quality_filter,
                    )
            except _Gone:
                log.debug("Rekognition found no face in the crop at %s: left out", face.bounding_box)
                continue
            searched.append(
                DetectedFace(face.bounding_box, face.confidence, _matches(response.get("FaceMatches", [])))
            )
        return tuple(searched)

    def _crop(self, face: DetectedFace, frame: bytes | None) -> bytes:
        if frame is None:
            raise FaceNotIndexed("Rekognition indexes a face from its frame, and this event brought none")
        crop = self._cropper.crop(frame, face.bounding_box)
        if crop is None:
            raise FaceNotIndexed("the face could not be cut out of its frame (unreadable, or too small)")
        return crop
