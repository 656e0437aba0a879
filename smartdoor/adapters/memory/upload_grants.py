"""Frame upload grants that are only remembered, for tests to inspect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class MemoryUploadGrants:
    url: str = "https://uploads.example/frames"
    granted: list[tuple[str, int, datetime]] = field(default_factory=list)  # (key, max bytes, expires at)

    def grant(self, key: str, max_bytes: int, expires_at: datetime) -> tuple[str, dict[str, str]]:
        self.granted.append((key, max_bytes, expires_at))
        return self.url, {"key": key}
