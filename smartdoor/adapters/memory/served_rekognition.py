"""A fake of our own answering a real botocore client, as botocore's Stubber does (moto has no Rekognition).

The client still validates every request against the service model before the fake sees it, and each
answer of the fake is validated against the operation's output shape, so the fake cannot drift from the
API that the real service speaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.model import OperationModel
from botocore.validate import validate_parameters

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.memory.rekognition import FakeRekognition

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

SESSION = boto3.session.Session(
    aws_access_key_id="testing",
    aws_secret_access_key="testing",  # noqa: S106 (fake credentials: only the fake or moto answers)
    region_name="us-east-1",
)


def rekognition_client() -> RekognitionClient:
    """A Rekognition client that never reaches the network unless a fake or a Stubber answers it."""
    client: RekognitionClient = SESSION.client(
        "rekognition",
        endpoint_url="http://127.0.0.1:9",  # discard: a call nothing answers fails at once
        config=client_config(),
    )
    return client


def served_by(fake: FakeRekognition) -> RekognitionClient:
    """A real Rekognition client whose calls the fake answers."""
    client = rekognition_client()

    def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["fake_params"] = dict(params)

    def answer(
        model: OperationModel, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        params = context["fake_params"]
        try:
            parsed: dict[str, Any] = getattr(fake, xform_name(model.name))(**params)
        except ClientError as exc:
            error = dict(exc.response)
            error["ResponseMetadata"] = {"HTTPStatusCode": 400}
            return AWSResponse("http://fake", 400, {}, None), error  # type: ignore[arg-type]
        assert model.output_shape is not None
        validate_parameters(parsed, model.output_shape)
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("http://fake", 200, {}, None), parsed  # type: ignore[arg-type]

    client.meta.events.register("before-parameter-build.rekognition.*", keep_params)
    # A before-call handler that returns a response stands in for the HTTP call (what Stubber does).
    client.meta.events.register("before-call.rekognition.*", answer)  # type: ignore[arg-type]
    return client
