"""The served fake Rekognition lives in smartdoor now (bench/aws_calls.py uses it too)."""

from smartdoor.adapters.memory.served_rekognition import SESSION, rekognition_client, served_by

__all__ = ["SESSION", "rekognition_client", "served_by"]
