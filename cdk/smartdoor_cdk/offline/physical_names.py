"""The names CloudFormation gives resources whose template sets none, and the Ref and attributes of the
resources that are not created offline but are still referred to (a Lambda's role ARN, the collection id).

CloudFormation names an unnamed resource ``<stack>-<logical id>-<random suffix>``, cut to the service's
length limit. The suffix here is derived from the stack and logical id, so a stand-up is reproducible and a
test can assert the exact name.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from smartdoor_cdk.offline.intrinsics import Physical

# Length limits of the services whose names CloudFormation generates.
MAX_LENGTH = {
    "AWS::S3::Bucket": 63,
    "AWS::SQS::Queue": 80,
    "AWS::Lambda::Function": 64,
    "AWS::IAM::Role": 64,
    "AWS::Kinesis::Stream": 128,
    "AWS::DynamoDB::Table": 255,
    "AWS::DynamoDB::GlobalTable": 255,
}
SUFFIX_LENGTH = 13


def suffix(stack_name: str, logical_id: str) -> str:
    digest = hashlib.sha256(f"{stack_name}/{logical_id}".encode()).digest()
    return base64.b32encode(digest).decode()[:SUFFIX_LENGTH]


def generated_name(stack_name: str, logical_id: str, resource_type: str) -> str:
    """CloudFormation's kind of name for an unnamed resource (lower case for S3, which allows no other)."""
    limit = MAX_LENGTH.get(resource_type, 128)
    tail = suffix(stack_name, logical_id)
    room = limit - len(tail) - 2
    stack_part = stack_name[: room // 2]
    name = f"{stack_part}-{logical_id[: room - len(stack_part)]}-{tail}"
    return name.lower() if resource_type == "AWS::S3::Bucket" else name


def mapping_uuid(stack_name: str, logical_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"offline://{stack_name}/{logical_id}"))


def not_created(
    resource_type: str, logical_id: str, properties: dict[str, object], stack: str, region: str, account: str
) -> Physical:
    """Ref and attributes, as CloudFormation would give them, of a resource that no moto backend holds."""
    name = str(properties.get("Name") or generated_name(stack, logical_id, resource_type))
    prefix = f"arn:aws:{{}}:{region}:{account}"
    if resource_type == "AWS::IAM::Role":
        name = str(properties.get("RoleName") or generated_name(stack, logical_id, resource_type))
        arn = f"arn:aws:iam::{account}:role/{name}"
        return Physical(name, {"Arn": arn, "RoleId": "AROA" + suffix(stack, logical_id)})
    if resource_type == "AWS::Rekognition::Collection":
        collection = str(properties["CollectionId"])
        return Physical(collection, {"Arn": prefix.format("rekognition") + f":collection/{collection}"})
    if resource_type == "AWS::KinesisVideo::Stream":
        arn = prefix.format("kinesisvideo") + f":stream/{name}/0"
        return Physical(name, {"Arn": arn})
    if resource_type == "AWS::AppSync::GraphQLApi":
        api_id = suffix(stack, logical_id).lower()
        host = f"{api_id}.appsync-api.{region}.amazonaws.com"
        realtime = f"{api_id}.appsync-realtime-api.{region}.amazonaws.com"
        arn = prefix.format("appsync") + f":apis/{api_id}"
        return Physical(
            arn,
            {
                "ApiId": api_id,
                "Arn": arn,
                "GraphQLUrl": f"https://{host}/graphql",
                "GraphQLDns": host,
                "RealtimeUrl": f"wss://{realtime}/graphql",
                "RealtimeDns": realtime,
            },
        )
    if resource_type == "AWS::AppSync::ApiKey":
        # Ref of an API key is its ARN; the key itself is the ApiKey attribute.
        key = "da2-" + suffix(stack, logical_id).lower()
        arn = prefix.format("appsync") + f":apis/{suffix(stack, logical_id).lower()}/apikeys/{key}"
        return Physical(arn, {"ApiKey": key, "Arn": arn})
    if resource_type == "AWS::CloudFront::Distribution":
        distribution = "E" + suffix(stack, logical_id)
        return Physical(
            distribution, {"DomainName": f"{distribution.lower()}.cloudfront.net", "Id": distribution}
        )
    generic = generated_name(stack, logical_id, resource_type)
    service = resource_type.split("::")[1].lower() if resource_type.count("::") == 2 else "custom"
    return Physical(generic, {"Arn": prefix.format(service) + f":{generic}", "Id": generic})
