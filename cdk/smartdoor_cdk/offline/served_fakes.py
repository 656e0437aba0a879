"""The Rekognition and Kinesis Video fakes over HTTP on 127.0.0.1, for Lambdas in other processes.

moto has neither (no collections, no GetImages), so the adapters' fakes answer: a Lambda's own boto3 clients
reach them through botocore's per-service endpoint variables (AWS_ENDPOINT_URL_REKOGNITION,
AWS_ENDPOINT_URL_KINESIS_VIDEO), and GetDataEndpoint names this server, so the archived-media client built
for GetImages comes here too. Requests are decoded and answers encoded by the services' own botocore models
(blobs base64, timestamps epoch seconds), so every process shares one collection and one video stream.

The fake Rekognition sees faces in marked images (the tests' own) and, in any other picture, one face filling
it whose likeness comes from the picture's bytes: the same crop is the same face, another is a stranger.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import OperationModel, ServiceModel, Shape

from smartdoor.adapters.memory.rekognition import FakeRekognition, SeenFace, read_marked_image
from smartdoor.adapters.memory.served_kinesis_video import FakeKinesisVideo
from smartdoor.domain.model import BoundingBox

_WHOLE_PICTURE = BoundingBox(0.1, 0.1, 0.8, 0.8)
_PICTURES = (b"\xff\xd8\xff", b"\x89PNG")


def seen_faces(image: bytes) -> Sequence[SeenFace]:
    """A marked image's faces; one face in any JPEG or PNG, its likeness drawn from the bytes."""
    if not image.startswith(_PICTURES):
        return read_marked_image(image)
    digest = hashlib.sha256(image).digest()
    return [SeenFace(_WHOLE_PICTURE, tuple(b / 255 for b in digest[:4]))]


def _decode(shape: Shape | None, value: Any) -> Any:
    """A JSON request value as botocore would have handed it to the fake (bytes, datetimes)."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        return {k: _decode(members.get(k), v) for k, v in value.items()}
    if kind == "list":
        return [_decode(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {k: _decode(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "blob":
        return base64.b64decode(value)
    if kind == "timestamp":
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        return datetime.fromisoformat(str(value))
    return value


def _encode(shape: Shape | None, value: Any) -> Any:
    """A fake's answer as the service writes it in JSON."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        return {k: _encode(members.get(k), v) for k, v in value.items() if k != "ResponseMetadata"}
    if kind == "list":
        return [_encode(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {k: _encode(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    return value


class ServedFakes:
    """One HTTP server answering Rekognition (JSON, X-Amz-Target) and Kinesis Video's GetDataEndpoint and
    GetImages (REST JSON, by path). ``rekognition`` and ``kinesis_video`` are the fakes, to look into."""

    def __init__(self, collection_id: str) -> None:
        self.rekognition = FakeRekognition(seen_faces)
        self.rekognition.create_collection(CollectionId=collection_id)
        self.kinesis_video = FakeKinesisVideo()
        loader = botocore.session.get_session()
        self._rekognition_model = ServiceModel(loader.get_service_data("rekognition"), "rekognition")
        self._by_path: dict[str, tuple[OperationModel, Any]] = {}
        for service in ("kinesisvideo", "kinesis-video-archived-media"):
            model = ServiceModel(loader.get_service_data(service), service)
            for name in model.operation_names:
                operation = model.operation_model(name)
                self._by_path[operation.http["requestUri"]] = (operation, self.kinesis_video)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="served-fakes", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _call(self, operation: OperationModel, fake: Any, body: dict[str, Any]) -> dict[str, Any]:
        params = _decode(operation.input_shape, body)
        if operation.name == "GetDataEndpoint":
            return {"DataEndpoint": self.url}  # the archived-media client is built for this server
        answer: dict[str, Any] = getattr(fake, xform_name(operation.name))(**params)
        encoded: dict[str, Any] = _encode(operation.output_shape, answer)
        return encoded

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                target = self.headers.get("x-amz-target")
                if target:
                    operation = served._rekognition_model.operation_model(target.split(".", 1)[1])
                    fake: Any = served.rekognition
                elif self.path.split("?", 1)[0] in served._by_path:
                    operation, fake = served._by_path[self.path.split("?", 1)[0]]
                else:
                    self._send(404, {"message": f"no fake answers {self.path}"}, "NotFound")
                    return
                try:
                    self._send(200, served._call(operation, fake, body))
                except ClientError as exc:
                    error = exc.response.get("Error", {})
                    code = str(error.get("Code", "ServiceError"))
                    self._send(400, {"__type": code, "message": error.get("Message", "")}, code)

            def _send(self, status: int, answer: dict[str, Any], error: str | None = None) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.1")
                if error:
                    self.send_header("x-amzn-errortype", error)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
