"""1:N search over face descriptors: a numpy matrix, one vectorised distance computation per query.

Decisions use two distances and a margin, as face_recognition's users learn the hard way that one threshold
is not enough: at most ``known_distance`` from a face → that identity; at least ``new_distance`` from every
face → a stranger; anything between, or a best match too close to another identity → unsure (wait for a
better frame rather than guess).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from smartdoor.domain.descriptors import DESCRIPTOR_LENGTH
from smartdoor.domain.model import FaceMatch

DIMENSIONS = DESCRIPTOR_LENGTH


@dataclass(frozen=True)
class SearchSettings:
    known_distance: float = 0.55  # same-person pairs in testdata: 0.521 at worst, most far below
    new_distance: float = 0.65  # different people: ≥ 0.73 in testdata (dlib's rule of thumb is 0.6)
    margin: float = 0.05  # best identity must beat the runner-up identity by this much


def similarity(distance: float) -> float:
    """Rekognition-style percent, linear: every 'known' distance (≤ 0.55) reads above 90, its default."""
    return round(max(0.0, 100.0 - 15.0 * distance), 2)


@dataclass(frozen=True)
class SearchResult:
    verdict: str  # "known" | "new" | "unsure"
    match: FaceMatch | None = None
    distance: float | None = None


class DescriptorMatrix:
    """Face ids, their labels, and their descriptors as one float32 matrix; thread-safe.

    Distances come from |m|² - 2·m·q + |q|²: one matrix-vector product and precomputed row norms,
    instead of materialising the N x 128 difference matrix (bench/README.md compares the two).
    """

    def __init__(self, settings: SearchSettings | None = None) -> None:
        self.settings = settings or SearchSettings()
        self._lock = threading.Lock()
        self._set([], [], np.empty((0, DIMENSIONS), dtype=np.float32))

    def _set(self, ids: list[str], labels: list[str], matrix: npt.NDArray[np.float32]) -> None:
        self._ids = ids
        self._labels = labels
        # Labels as integer codes, so "every other identity" is one vectorised comparison.
        codes: dict[str, int] = {}
        self._codes = np.array([codes.setdefault(label, len(codes)) for label in labels], dtype=np.int64)
        self._matrix = matrix
        self._norms = np.einsum("ij,ij->i", matrix, matrix)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, face_id: str, label: str, descriptor: npt.ArrayLike) -> None:
        row = np.asarray(descriptor, dtype=np.float32).reshape(1, DIMENSIONS)
        with self._lock:
            self._set([*self._ids, face_id], [*self._labels, label], np.vstack([self._matrix, row]))

    def load(self, rows: list[tuple[str, str, npt.NDArray[np.float32]]]) -> None:
        """Replace everything at once (start-up): one allocation instead of N appends."""
        matrix = (
            np.stack([r[2] for r in rows]).astype(np.float32)
            if rows
            else np.empty((0, DIMENSIONS), np.float32)
        )
        with self._lock:
            self._set([r[0] for r in rows], [r[1] for r in rows], matrix)

    def relabel(self, face_id: str, label: str) -> None:
        with self._lock:
            labels = [
                label if known == face_id else old for known, old in zip(self._ids, self._labels, strict=True)
            ]
            self._set(self._ids, labels, self._matrix)

    def delete(self, face_ids: set[str]) -> None:
        with self._lock:
            keep = [i for i, known in enumerate(self._ids) if known not in face_ids]
            self._set([self._ids[i] for i in keep], [self._labels[i] for i in keep], self._matrix[keep])

    def label_of(self, face_id: str) -> str | None:
        with self._lock:
            return next(
                (lb for known, lb in zip(self._ids, self._labels, strict=True) if known == face_id), None
            )

    def alike(self, face_id: str, min_similarity: float) -> list[FaceMatch]:
        """The other faces at least ``min_similarity`` like this one, most alike first."""
        with self._lock:
            ids, labels, matrix, norms = self._ids, self._labels, self._matrix, self._norms
        if face_id not in ids:
            return []
        row = ids.index(face_id)
        query = matrix[row]
        distances = np.sqrt(np.maximum(norms - 2.0 * (matrix @ query) + float(query @ query), 0.0))
        found = [
            FaceMatch(ids[i], similarity(float(distances[i])), labels[i])
            for i in np.argsort(distances)
            if i != row
        ]
        return [m for m in found if m.similarity >= min_similarity]

    def search(self, descriptor: npt.ArrayLike) -> SearchResult:
        query = np.asarray(descriptor, dtype=np.float32).reshape(DIMENSIONS)
        with self._lock:
            ids, labels, codes, matrix, norms = (
                self._ids,
                self._labels,
                self._codes,
                self._matrix,
                self._norms,
            )
        if not ids:
            return SearchResult("new")
        squared = np.maximum(norms - 2.0 * (matrix @ query) + float(query @ query), 0.0)
        best = int(np.argmin(squared))
        best_distance = float(np.sqrt(squared[best]))
        s = self.settings
        if best_distance >= s.new_distance:
            return SearchResult("new", distance=best_distance)
        others = squared[codes != codes[best]]
        runner_up = float(np.sqrt(others.min())) if others.size else float("inf")
        if best_distance > s.known_distance or runner_up - best_distance < s.margin:
            return SearchResult("unsure", distance=best_distance)
        match = FaceMatch(
            face_id=ids[best], similarity=similarity(best_distance), external_image_id=labels[best]
        )
        return SearchResult("known", match, best_distance)
