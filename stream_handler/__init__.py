"""The Kinesis stream handler Lambda: Rekognition's face-search records → the sighting use case.

Lambda's handler setting is ``stream_handler.handler``.
"""

from stream_handler.app import handler

__all__ = ["handler"]
