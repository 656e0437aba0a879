"""A fake of our own answering a real botocore client, as botocore's Stubber does, for the services moto
lacks (Rekognition; Kinesis Video's GetImages).

The client still validates every request against the service model before the fake sees it, and each
answer of the fake is validated against the operation's output shape, so a fake cannot drift from the API
that the real service speaks. A fake answers each operation with its method of the operation's snake_case
name, called with the request's parameters; a ClientError it raises is the service's refusal.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.model import OperationModel
from botocore.validate import validate_parameters

SESSION = boto3.session.Session(
    aws_access_key_id="testing",
    aws_secret_access_key="testing",  # noqa: S106 (fake credentials: only the fake or moto answers)
    region_name="us-east-1",
)
NOWHERE = "http://127.0.0.1:9"  # discard: a call nothing answers fails at once


def serve(client: Any, fake: object) -> None:
    """Make ``fake`` answer every call of ``client``; nothing reaches the network."""

    def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["fake_params"] = dict(params)

    def answer(
        model: OperationModel, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        try:
            parsed: dict[str, Any] = getattr(fake, xform_name(model.name))(**context["fake_params"])
        except ClientError as exc:
            error = dict(exc.response)
            error["ResponseMetadata"] = {"HTTPStatusCode": 400}
            return AWSResponse("http://fake", 400, {}, None), error  # type: ignore[arg-type]
        assert model.output_shape is not None
        validate_parameters(parsed, model.output_shape)
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("http://fake", 200, {}, None), parsed  # type: ignore[arg-type]

    # Each client has its own event system: these handlers see only this client's calls. A before-call
    # handler that returns a response stands in for the HTTP call (what Stubber does).
    client.meta.events.register("before-parameter-build", keep_params)
    client.meta.events.register("before-call", answer)
