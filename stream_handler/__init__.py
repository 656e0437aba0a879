"""The Kinesis stream handler Lambda: Rekognition's face-search records → the sighting use case.

Lambda's handler setting is ``stream_handler.handler``. The frame path's Lambda (S3 notifications of
uploaded frames) lives beside it: ``stream_handler.frames.handler``.
"""

from stream_handler.app import handler

__all__ = ["handler"]
