"""What each function may do: the actions its use cases issue, on exactly the resources they touch.

Read off the AWS adapters (smartdoor/adapters/aws/). A DynamoDB transaction is authorised per item by that
item's own action (a Put in TransactWriteItems needs dynamodb:PutItem on its table, TransactGetItems needs
GetItem), so the lists below hold item actions only. A Query on an index is granted on that index's ARN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

# table logical name -> (item actions, indexes queried; "" is the table itself)
TableUse = Mapping[str, tuple[Sequence[str], Sequence[str]]]

# The API's use cases: passcode checks, the console's listings and decisions, enrolment and registration
# (one transaction over limits, sightings, visitors, faces, passcodes and the outbox), forgetting a visitor.
RESOLVER_TABLES: TableUse = {
    "passcodes": (("PutItem", "DeleteItem"), ()),
    "visitors": (("GetItem", "PutItem", "DeleteItem", "Query"), ("byCreated",)),
    "sightings": (("GetItem", "UpdateItem", "Query"), ("byCreated", "byStatus")),
    "faces": (("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"), ("byOwner",)),
    "limits": (("GetItem", "PutItem", "UpdateItem", "DeleteItem"), ()),
    "timeline": (("PutItem", "Query"), ("",)),
    "outbox": (("PutItem",), ()),
}
# A face seen at the door: its claims, who it is, a new sighting (with the owner's email) or a returning
# visitor's photo and passcode SMS, the timeline. Never a listing: no Query.
FACE_PIPELINE_TABLES: TableUse = {
    "passcodes": (("PutItem",), ()),
    "visitors": (("GetItem", "UpdateItem"), ()),
    "sightings": (("GetItem", "PutItem"), ()),
    "faces": (("GetItem", "PutItem", "UpdateItem", "DeleteItem"), ()),
    "limits": (("PutItem", "UpdateItem", "DeleteItem"), ()),
    "timeline": (("PutItem",), ()),
    "outbox": (("PutItem",), ()),
}

# The photo retry: the due tasks (Query awaitingPhoto), each one's claim, postponement or give-up
# (UpdateItem), the sighting it fills (GetItem), and the fill's one transaction: UpdateItem on the sighting
# and the held email, PutItem of the face indexed from the fetched frame.
PHOTO_RETRY_TABLES: TableUse = {
    "sightings": (("GetItem", "UpdateItem"), ()),
    "faces": (("PutItem",), ()),
    "outbox": (("UpdateItem", "Query"), ("awaitingPhoto",)),
}


@dataclass(frozen=True)
class DoorResources:
    """What the functions' permissions point at."""

    bucket: s3.IBucket
    tables: Mapping[str, dynamodb.ITable]
    hmac_key: secretsmanager.ISecret
    collection_arn: str


def grant_tables(role: iam.IGrantable, resources: DoorResources, use: TableUse) -> None:
    for logical, (actions, indexes) in use.items():
        table = resources.tables[logical]
        item_actions = [f"dynamodb:{a}" for a in actions if a != "Query"]
        if item_actions:
            allow(role, item_actions, [table.table_arn])
        if "Query" in actions:
            arns = [table.table_arn if not i else f"{table.table_arn}/index/{i}" for i in indexes]
            allow(role, ["dynamodb:Query"], arns)


def grant_photos(
    role: iam.IGrantable, bucket: s3.IBucket, actions: Sequence[str], prefixes: Sequence[str]
) -> None:
    allow(role, [f"s3:{a}" for a in actions], [bucket.arn_for_objects(f"{p}*") for p in prefixes])


def grant_collection(role: iam.IGrantable, collection_arn: str, actions: Sequence[str]) -> None:
    allow(role, [f"rekognition:{a}" for a in actions], [collection_arn])


def grant_detect_faces(role: iam.IGrantable) -> None:
    # DetectFaces reads only the bytes it is sent: IAM has no resource to scope it to, "*" is its only form.
    allow(role, ["rekognition:DetectFaces"], ["*"])


def grant_hmac_key(role: iam.IGrantable, secret: secretsmanager.ISecret) -> None:
    allow(role, ["secretsmanager:GetSecretValue"], [secret.secret_arn])


def collection_arn(stack: Stack, collection_id: str) -> str:
    return stack.format_arn(service="rekognition", resource="collection", resource_name=collection_id)


def allow(role: iam.IGrantable, actions: Sequence[str], resources: Sequence[str]) -> None:
    role.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(actions), resources=list(resources))
    )
