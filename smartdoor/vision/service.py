"""The local door's eyes as one object: the analysis worker, the pipeline, the cameras, the frame inbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smartdoor.vision.analysis import Analyse
from smartdoor.vision.cameras import CameraRunner
from smartdoor.vision.frames import FrameInbox
from smartdoor.vision.pipeline import FacePipeline


@dataclass
class Vision:
    pipeline: FacePipeline
    analysis: Analyse
    inbox: FrameInbox
    cameras: list[CameraRunner] = field(default_factory=list)

    def start(self) -> None:
        for camera in self.cameras:
            camera.start()

    def stop(self) -> None:
        for camera in self.cameras:
            camera.stop()
        self.analysis.close()

    def status(self) -> dict[str, Any]:
        return {
            # Configured cameras, then those that post frames (the browser camera page, scripts).
            "cameras": [vars(c.status).copy() for c in self.cameras] + self.inbox.statuses(),
            "pipeline": self.pipeline.stats.snapshot(),
        }
