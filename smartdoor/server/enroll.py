"""`smartdoor enroll`: find exactly one face in each photo, then register the visitor with all of them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from smartdoor.bootstrap import LocalDoor
from smartdoor.domain.errors import DomainError
from smartdoor.domain.model import BoundingBox, DetectedFace
from smartdoor.domain.visitor_details import dialled_as
from smartdoor.services.authorization import Owner
from smartdoor.services.enrollment import EnrolmentPhoto, enroll_visitor
from smartdoor.vision.analyser import FaceAnalyser
from smartdoor.vision.frames import BadFrame, decode_jpeg
from smartdoor.vision.same_person import odd_ones_out


def photo_face(analyser: FaceAnalyser, path: Path) -> EnrolmentPhoto:
    """The one face in a photo, described; a photo with none or several raises BadFrame saying which."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadFrame(f"cannot read it: {exc.strerror}") from exc
    bgr = decode_jpeg(data)
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    boxes = analyser.detect_in_photo(rgb)
    if not boxes:
        raise BadFrame("no face found")
    if len(boxes) > 1:
        raise BadFrame(f"{len(boxes)} faces found; use a photo of this visitor alone")
    box = boxes[0]
    height, width = rgb.shape[:2]
    descriptor = analyser.describe(rgb, box)
    face = DetectedFace(
        bounding_box=BoundingBox(box.left / width, box.top / height, box.width / width, box.height / height),
        confidence=99.0,
        descriptor=tuple(float(v) for v in descriptor),
    )
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return EnrolmentPhoto(face, jpeg.tobytes() if ok else data)


def _odd_photos_out(photos: list[tuple[Path, EnrolmentPhoto]], known_distance: float) -> str | None:
    """Why the photos cannot be one visitor (naming the odd ones), or None when they show one person.

    Compared at the distance the door's search calls "known", so every enrolled photo is one the camera
    would also take for this visitor."""
    described = [(path, p.face.descriptor) for path, p in photos if p.face.descriptor is not None]
    odd = [described[i][0].name for i in odd_ones_out([d for _, d in described], known_distance)]
    if not odd:
        return None
    if len(odd) == 1:
        return f"{odd[0]} does not show the same person as the other photos; leave it out or enrol it apart."
    names = ", ".join(odd[:-1]) + f" and {odd[-1]}"
    return f"{names} do not show the same person; enrol each person on their own."


def _progress(done: int, total: int, label: str, out: TextIO) -> None:
    filled = round(24 * done / total)
    out.write(f"\r[{'#' * filled}{'.' * (24 - filled)}] {done}/{total} {label[:40]:<40}")
    out.flush()


def enroll_from_photos(
    door: LocalDoor, name: str, phone: str, paths: list[Path], out: TextIO = sys.stderr
) -> int:
    analyser = FaceAnalyser()
    photos: list[tuple[Path, EnrolmentPhoto]] = []
    problems = []
    for n, path in enumerate(paths, start=1):
        _progress(n - 1, len(paths), path.name, out)
        try:
            photos.append((path, photo_face(analyser, path)))
        except BadFrame as exc:
            problems.append(f"{path}: {exc}")
        _progress(n, len(paths), path.name, out)
    out.write("\n")
    for problem in problems:
        out.write(f"skipped {problem}\n")
    if not photos:
        out.write("No usable photo: nothing enrolled.\n")
        return 1
    odd = _odd_photos_out(photos, door.faces.matrix.settings.known_distance)
    if odd:
        out.write(f"Not enrolled: {odd}\n")
        return 2
    try:
        enrolment = enroll_visitor(door.door, Owner(), name, phone, [photo for _, photo in photos])
    except DomainError as exc:
        out.write(f"Not enrolled: {exc}\n")
        return 2
    visitor = enrolment.visitor
    number = dialled_as(visitor.phone_number)  # as stored and dialled, not as typed
    out.write(f"Enrolled {visitor.name} ({visitor.id}, {number}) from {len(photos)} photo(s).\n")
    for sighting in enrolment.resolved:
        out.write(
            f"The camera saw {visitor.name} as a stranger at {sighting.camera_id} (sighting {sighting.id}):"
            " that sighting is now registered as them, and their next visit sends a passcode.\n"
        )
    return 0 if not problems else 3
