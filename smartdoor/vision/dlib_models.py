"""dlib's models, found without importing face_recognition_models (its __init__ needs pkg_resources)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import dlib


def models_folder() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed: pip install 'smartdoor[vision]'")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@dataclass(frozen=True)
class DlibModels:
    detector: Any  # dlib.fhog_object_detector
    landmarks: Any  # dlib.shape_predictor (5 points: enough to align, 0.4 ms)
    encoder: Any  # dlib.face_recognition_model_v1 (128-d, ~90 ms a face on this CPU)


@cache
def load_models() -> DlibModels:
    """Loaded once per process (workers each load their own); ~0.3 s, so never at import time."""
    folder = models_folder()
    return DlibModels(
        detector=dlib.get_frontal_face_detector(),
        landmarks=dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        encoder=dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat")),
    )
