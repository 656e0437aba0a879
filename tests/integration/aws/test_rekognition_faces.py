"""The Rekognition face index: the exact requests (botocore's Stubber checks each against the service model),
Rekognition's answers as domain errors, and, over the fake, what only a frame of several people shows."""

from __future__ import annotations

import io

import pytest
from botocore.stub import Stubber
from PIL import Image

from smartdoor.adapters.aws.face_crop import PillowFaceCropper
from smartdoor.adapters.aws.rekognition_faces import DELETE_BATCH, RekognitionFaceIndex
from smartdoor.adapters.memory.rekognition import FakeRekognition, MarkedImageCropper, SeenFace, marked_image
from smartdoor.adapters.memory.served_rekognition import rekognition_client, served_by
from smartdoor.domain.errors import (
    BadFaceEvent,
    Conflict,
    FaceNotIndexed,
    StorageUnavailable,
    UnreadableFrame,
)
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceMatch

pytestmark = pytest.mark.integration

FACE_1 = "11111111-1111-4111-8111-111111111111"
FACE_2 = "22222222-2222-4222-8222-222222222222"
LEFT = BoundingBox(0.05, 0.2, 0.3, 0.5)  # the larger face of the frame
RIGHT = BoundingBox(0.7, 0.3, 0.2, 0.3)


def frame() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 150)).save(out, "JPEG")
    return out.getvalue()


def crop_of(box: BoundingBox) -> bytes:
    crop = PillowFaceCropper().crop(frame(), box)
    assert crop is not None
    return crop


def face_record(face_id: str) -> dict[str, object]:
    return {"Face": {"FaceId": face_id, "Confidence": 99.9}}


@pytest.fixture
def stubbed() -> tuple[RekognitionFaceIndex, Stubber]:
    client = rekognition_client()
    return RekognitionFaceIndex(client, "door-faces", PillowFaceCropper(), quality_filter="HIGH"), Stubber(
        client
    )


def test_index_face_sends_the_face_s_own_crop_with_max_faces_one_and_the_quality_filter(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    stub.add_response(
        "index_faces",
        {"FaceRecords": [face_record(FACE_1)]},
        {
            "CollectionId": "door-faces",
            "Image": {
                "Bytes": crop_of(RIGHT)
            },  # the crop, not the frame: a frame's largest face may be another
            "MaxFaces": 1,
            "QualityFilter": "HIGH",
            "DetectionAttributes": [],
        },
    )
    with stub:
        assert index.index_face(DetectedFace(RIGHT, 99.0), frame()) == FACE_1
    stub.assert_no_pending_responses()


def test_no_face_indexed_is_a_clear_domain_error(stubbed: tuple[RekognitionFaceIndex, Stubber]) -> None:
    index, stub = stubbed
    stub.add_response(
        "index_faces",
        {"FaceRecords": [], "UnindexedFaces": [{"Reasons": ["LOW_SHARPNESS", "LOW_BRIGHTNESS"]}]},
    )
    stub.add_client_error("index_faces", service_error_code="InvalidParameterException", http_status_code=400)
    with stub:
        with pytest.raises(FaceNotIndexed, match="LOW_BRIGHTNESS, LOW_SHARPNESS"):
            index.index_face(DetectedFace(RIGHT, 99.0), frame())
        with pytest.raises(
            FaceNotIndexed, match="no face"
        ):  # what Rekognition answers for an image with none
            index.index_face(DetectedFace(RIGHT, 99.0), frame())
    assert issubclass(FaceNotIndexed, BadFaceEvent)  # the sighting flow skips and reports it, never retries


def test_an_image_rekognition_cannot_read_is_an_unreadable_frame_not_a_missing_face(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    # The photo retry gives up at once on one (the same bytes fail alike), and retries past no face.
    index, stub = stubbed
    stub.add_client_error(
        "index_faces", service_error_code="InvalidImageFormatException", http_status_code=400
    )
    stub.add_client_error("index_faces", service_error_code="InvalidParameterException", http_status_code=400)
    with stub:
        with pytest.raises(UnreadableFrame, match="no image"):
            index.index_face(DetectedFace(RIGHT, 99.0), frame())
        with pytest.raises(FaceNotIndexed) as no_face:
            index.index_face(DetectedFace(RIGHT, 99.0), frame())
    assert not isinstance(no_face.value, UnreadableFrame)
    assert issubclass(UnreadableFrame, FaceNotIndexed)  # every caller of index_face still skips it


@pytest.mark.parametrize("frame_bytes", [None, b"not a jpeg"])
def test_no_frame_or_no_crop_is_no_face_and_no_call(
    stubbed: tuple[RekognitionFaceIndex, Stubber], frame_bytes: bytes | None
) -> None:
    index, stub = stubbed
    with stub, pytest.raises(FaceNotIndexed):
        index.index_face(DetectedFace(RIGHT, 99.0), frame_bytes)
    stub.assert_no_pending_responses()  # nothing was stubbed: a call would have failed as unexpected


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttling_is_storage_unavailable(stubbed: tuple[RekognitionFaceIndex, Stubber], code: str) -> None:
    index, stub = stubbed
    for operation in ("index_faces", "search_faces", "delete_faces"):
        stub.add_client_error(operation, service_error_code=code, http_status_code=400)
    with stub:
        with pytest.raises(StorageUnavailable, match="throttled"):
            index.index_face(DetectedFace(RIGHT, 99.0), frame())
        with pytest.raises(StorageUnavailable, match="throttled"):
            index.similar_faces(FACE_1, 90.0)
        with pytest.raises(StorageUnavailable, match="throttled"):
            index.delete([FACE_1])


def test_a_missing_collection_is_storage_unavailable(stubbed: tuple[RekognitionFaceIndex, Stubber]) -> None:
    index, stub = stubbed
    stub.add_client_error("index_faces", service_error_code="ResourceNotFoundException", http_status_code=400)
    with stub, pytest.raises(StorageUnavailable, match="ResourceNotFoundException"):
        index.index_face(DetectedFace(RIGHT, 99.0), frame())


def test_similar_faces_is_search_faces_by_id_and_threshold(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    stub.add_response(
        "search_faces",
        {"SearchedFaceId": FACE_1, "FaceMatches": [{"Similarity": 97.5, "Face": {"FaceId": FACE_2}}]},
        {"CollectionId": "door-faces", "FaceId": FACE_1, "FaceMatchThreshold": 92.0, "MaxFaces": 100},
    )
    stub.add_client_error(
        "search_faces", service_error_code="InvalidParameterException", http_status_code=400
    )
    with stub:
        assert index.similar_faces(FACE_1, 92.0) == (FaceMatch(FACE_2, 97.5),)
        assert index.similar_faces(FACE_2, 92.0) == ()  # a face the collection no longer holds
    stub.assert_no_pending_responses()


def test_delete_goes_in_batches_of_the_api_s_limit_and_ignores_faces_already_gone(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    ids = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(DELETE_BATCH + 1)]
    stub.add_response(
        "delete_faces",
        {"DeletedFaces": ids[:DELETE_BATCH]},
        {"CollectionId": "door-faces", "FaceIds": ids[:DELETE_BATCH]},
    )
    stub.add_response(
        "delete_faces",
        {"UnsuccessfulFaceDeletions": [{"FaceId": ids[-1], "Reasons": ["FACE_NOT_FOUND"]}]},
        {"CollectionId": "door-faces", "FaceIds": ids[-1:]},
    )
    with stub:
        index.delete([*ids, ids[0]])  # a repeated id is sent once
        index.delete([])  # nothing to delete: no call (FaceIds needs one id at least)
    stub.assert_no_pending_responses()
    assert DELETE_BATCH == 4096


def test_a_face_kept_by_a_rekognition_user_is_a_conflict(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    stub.add_response(
        "delete_faces",
        {"UnsuccessfulFaceDeletions": [{"FaceId": FACE_2, "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]}]},
    )
    with stub, pytest.raises(Conflict, match=FACE_2):
        index.delete([FACE_2])


def test_search_frame_detects_once_then_searches_each_face_s_crop(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    stub.add_response(
        "detect_faces",
        {
            "FaceDetails": [
                {
                    "BoundingBox": {
                        "Left": LEFT.left,
                        "Top": LEFT.top,
                        "Width": LEFT.width,
                        "Height": LEFT.height,
                    },
                    "Confidence": 99.8,
                },
                {
                    "BoundingBox": {
                        "Left": RIGHT.left,
                        "Top": RIGHT.top,
                        "Width": RIGHT.width,
                        "Height": RIGHT.height,
                    },
                    "Confidence": 99.1,
                },
            ]
        },
        {"Image": {"Bytes": frame()}, "Attributes": ["DEFAULT"]},
    )
    for box, matches in ((LEFT, [{"Similarity": 99.0, "Face": {"FaceId": FACE_1}}]), (RIGHT, [])):
        stub.add_response(
            "search_faces_by_image",
            {"FaceMatches": matches},
            {
                "CollectionId": "door-faces",
                "Image": {"Bytes": crop_of(box)},
                "FaceMatchThreshold": 90.0,
                "MaxFaces": 100,
                "QualityFilter": "HIGH",
            },
        )
    with stub:
        found = index.search_frame(frame(), 90.0)
    stub.assert_no_pending_responses()
    assert [(f.bounding_box, f.confidence, f.matches) for f in found] == [
        (LEFT, 99.8, (FaceMatch(FACE_1, 99.0),)),
        (RIGHT, 99.1, ()),
    ]


@pytest.mark.parametrize(
    "code", ["InvalidImageFormatException", "ImageTooLargeException", "InvalidParameterException"]
)
def test_a_frame_rekognition_cannot_read_is_a_bad_event_not_an_outage(
    stubbed: tuple[RekognitionFaceIndex, Stubber], code: str
) -> None:
    # An outage is retried; bytes that are no image (or too big) would fail the same way on every retry.
    index, stub = stubbed
    stub.add_client_error("detect_faces", service_error_code=code, http_status_code=400)
    with stub, pytest.raises(BadFaceEvent) as raised:
        index.search_frame(b"\xff\xd8\xff but not a picture", 90.0)
    assert not isinstance(raised.value, StorageUnavailable)
    stub.assert_no_pending_responses()


def test_a_throttled_frame_search_is_storage_unavailable(
    stubbed: tuple[RekognitionFaceIndex, Stubber],
) -> None:
    index, stub = stubbed
    stub.add_client_error("detect_faces", service_error_code="ThrottlingException", http_status_code=400)
    with stub, pytest.raises(StorageUnavailable, match="throttled"):
        index.search_frame(frame(), 90.0)


# --- over the fake: a frame of two people --------------------------------------------------------------


@pytest.fixture
def fake() -> FakeRekognition:
    fake = FakeRekognition()
    fake.create_collection(CollectionId="door")
    return fake


def two_people() -> bytes:
    return marked_image(SeenFace(LEFT, (0.0,)), SeenFace(RIGHT, (1.0,)))


def test_the_smaller_face_of_a_frame_is_the_one_indexed(fake: FakeRekognition) -> None:
    index = RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper())
    # GIVEN a frame where the face to index is the smaller of two: IndexFaces alone would take the larger
    small = index.index_face(DetectedFace(RIGHT, 99.0), two_people())
    # WHEN the same people come back alone
    right_again = index.index_face(DetectedFace(RIGHT, 99.0), marked_image(SeenFace(RIGHT, (1.0,))))
    left_alone = index.index_face(DetectedFace(LEFT, 99.0), marked_image(SeenFace(LEFT, (0.0,))))
    # THEN the face indexed from the crowded frame is the right-hand person's
    assert [m.face_id for m in index.similar_faces(right_again, 90.0)] == [small]
    assert index.similar_faces(left_alone, 90.0) == ()


def test_search_frame_finds_each_person_of_a_frame(fake: FakeRekognition) -> None:
    index = RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper())
    left = index.index_face(DetectedFace(LEFT, 99.0), marked_image(SeenFace(LEFT, (0.0,))))
    right = index.index_face(DetectedFace(RIGHT, 99.0), marked_image(SeenFace(RIGHT, (0.9375,))))

    found = index.search_frame(two_people(), 90.0)

    assert [(f.bounding_box, f.matches) for f in found] == [
        (LEFT, (FaceMatch(left, 100.0),)),
        (RIGHT, (FaceMatch(right, 93.75),)),
    ]
    assert [name for name, _ in fake.calls].count("DetectFaces") == 1


def test_a_face_below_the_quality_filter_is_not_indexed(fake: FakeRekognition) -> None:
    index = RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper(), quality_filter="HIGH")
    blurred = marked_image(SeenFace(LEFT, (0.0,), quality=60.0))
    with pytest.raises(FaceNotIndexed, match="LOW_FACE_QUALITY"):
        index.index_face(DetectedFace(LEFT, 99.0), blurred)
    assert fake.face_ids("door") == set()
    lenient = RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper(), quality_filter="AUTO")
    face_id = lenient.index_face(DetectedFace(LEFT, 99.0), blurred)
    assert fake.face_ids("door") == {face_id}


def test_the_fake_s_injected_errors_reach_the_adapter_as_botocore_errors_do(fake: FakeRekognition) -> None:
    index = RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper())
    fake.fail_next("IndexFaces", "ThrottlingException")
    with pytest.raises(StorageUnavailable, match="throttled"):
        index.index_face(DetectedFace(LEFT, 99.0), marked_image(SeenFace(LEFT, (0.0,))))
    face_id = index.index_face(DetectedFace(LEFT, 99.0), marked_image(SeenFace(LEFT, (0.0,))))  # once only
    assert fake.face_ids("door") == {face_id}
    with pytest.raises(StorageUnavailable, match="ResourceNotFoundException"):
        RekognitionFaceIndex(served_by(fake), "no-such", MarkedImageCropper()).similar_faces(face_id, 90.0)
