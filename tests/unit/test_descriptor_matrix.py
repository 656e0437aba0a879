"""1:N descriptor search: verdicts, margins, labels; exact values on hand-made vectors."""

from __future__ import annotations

import numpy as np
import pytest

from smartdoor.adapters.local.descriptor_matrix import DescriptorMatrix, SearchSettings, similarity
from smartdoor.domain.model import FaceMatch

pytestmark = pytest.mark.unit


def vec(*head: float) -> np.ndarray:
    v = np.zeros(128, dtype=np.float32)
    v[: len(head)] = head
    return v


def test_empty_index_says_new() -> None:
    assert DescriptorMatrix().search(vec(1.0)).verdict == "new"


def test_a_close_face_is_known_with_its_label_and_similarity() -> None:
    index = DescriptorMatrix()
    index.add("f1", "visitor-1", vec(1.0))
    index.add("f2", "visitor-2", vec(0.0, 1.0))
    found = index.search(vec(1.0, 0.0, 0.25))
    assert found.verdict == "known"
    assert found.match == FaceMatch("f1", 96.25, "visitor-1")
    assert found.distance == pytest.approx(0.25)


def test_far_from_everyone_is_new_and_between_is_unsure() -> None:
    index = DescriptorMatrix(SearchSettings(known_distance=0.5, new_distance=0.6, margin=0.05))  # explicit
    index.add("f1", "visitor-1", vec(0.0))
    assert index.search(vec(0.7)).verdict == "new"
    assert index.search(vec(0.55)).verdict == "unsure"
    assert index.search(vec(0.45)).verdict == "known"


def test_two_identities_too_close_to_tell_apart_is_unsure() -> None:
    index = DescriptorMatrix(SearchSettings(margin=0.05))
    index.add("a", "visitor-a", vec(0.0))
    index.add("b", "visitor-b", vec(0.06))
    assert index.search(vec(0.02)).verdict == "unsure"  # 0.02 vs 0.04: margin 0.02 < 0.05


def test_two_faces_of_one_identity_do_not_compete() -> None:
    index = DescriptorMatrix(SearchSettings(margin=0.05))
    index.add("a1", "visitor-a", vec(0.0))
    index.add("a2", "visitor-a", vec(0.02))
    found = index.search(vec(0.01))
    assert found.verdict == "known"
    assert found.match is not None
    assert found.match.external_image_id == "visitor-a"


def test_relabel_delete_and_load() -> None:
    index = DescriptorMatrix()
    index.add("f1", "sighting-1", vec(1.0))
    index.relabel("f1", "visitor-9")
    assert index.label_of("f1") == "visitor-9"
    assert index.search(vec(1.0)).match == FaceMatch("f1", 100.0, "visitor-9")
    index.delete({"f1"})
    assert len(index) == 0
    index.load([("x", "visitor-x", vec(0.5)), ("y", "visitor-y", vec(-0.5))])
    assert len(index) == 2
    assert index.search(vec(-0.5)).match == FaceMatch("y", 100.0, "visitor-y")


def test_similarity_scale() -> None:
    assert [similarity(d) for d in (0.0, 0.55, 0.65, 1.0, 9.0)] == [100.0, 91.75, 90.25, 85.0, 0.0]
