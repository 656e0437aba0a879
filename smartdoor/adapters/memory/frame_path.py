"""The frame path's ports in memory: uploads by key, and a frame search told what each frame holds."""

from __future__ import annotations

from smartdoor.domain.errors import BadFaceEvent, NotFound
from smartdoor.domain.model import DetectedFace


class MemoryUploads:
    """Uploaded objects by key (``objects``); ``reads`` lists each key read."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.reads: list[str] = []

    def read(self, key: str, max_bytes: int) -> bytes:
        self.reads.append(key)
        data = self.objects.get(key)
        if data is None:
            raise NotFound(f"no object {key}")
        if len(data) > max_bytes:
            raise BadFaceEvent(f"object {key} is {len(data)} bytes, over {max_bytes}")
        return data


class ScriptedFrameSearch:
    """Answers each frame with the faces ``found`` lists for its bytes (none for any other); ``searched``
    lists each search as (frame, threshold); ``fail_next`` errors are raised by the next searches in turn."""

    def __init__(self) -> None:
        self.found: dict[bytes, tuple[DetectedFace, ...]] = {}
        self.searched: list[tuple[bytes, float]] = []
        self.fail_next: list[Exception] = []

    def search_frame(self, frame: bytes, threshold: float) -> tuple[DetectedFace, ...]:
        self.searched.append((frame, threshold))
        if self.fail_next:
            raise self.fail_next.pop(0)
        return self.found.get(frame, ())
