"""The Pages construct in a small stack of its own: what CloudFront serves, from where, with which headers."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Aws, CfnParameter, Stack, Validations
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from smartdoor.edges.page_paths import PAGES, cloudfront_function_code
from smartdoor_cdk.pages import Pages
from tests.needs import missing

pytestmark = pytest.mark.cdk

GRAPHQL = "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"
REALTIME = "wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/graphql"


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cdk.out")


@pytest.fixture(scope="module")
def template(synth_dir: Path) -> Template:
    app = App(outdir=str(synth_dir), context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "PagesTest", env={"account": "111111111111", "region": "eu-west-1"})
    Pages(
        stack,
        "Pages",
        graphql_url=GRAPHQL,
        realtime_url=REALTIME,
        api_key="da2-key",
        region="eu-west-1",
        user_pool_id="eu-west-1_pool",
        user_pool_client_id="client123",
    )
    template = Template.from_stack(stack)
    app.synth()
    return template


def _one(template: Template, kind: str) -> Mapping[str, Any]:
    resources = template.find_resources(kind)
    assert len(resources) == 1, resources
    return next(iter(resources.values()))


def test_the_bucket_is_private_encrypted_and_no_website(template: Template) -> None:
    bucket = _one(template, "AWS::S3::Bucket")["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert "WebsiteConfiguration" not in bucket


def test_only_this_distribution_may_read_the_bucket(template: Template) -> None:
    statements = _one(template, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    [allow] = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    [distribution_id] = template.find_resources("AWS::CloudFront::Distribution")
    source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert distribution_id in json.dumps(source_arn)
    # enforceSSL: every request without TLS is refused.
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert [d["Condition"] for d in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]


def test_the_distribution_uses_origin_access_control_https_only(template: Template) -> None:
    control = _one(template, "AWS::CloudFront::OriginAccessControl")["Properties"]
    assert control["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert control["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    config = _one(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"


def test_the_security_headers(template: Template) -> None:
    policy = _one(template, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]
    security = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 31536000,
        "IncludeSubdomains": True,
        "Override": True,
    }
    text = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    csp = dict(part.split(" ", 1) for part in text.split("; "))
    assert csp["default-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["connect-src"].split() == [
        "'self'",
        GRAPHQL,
        REALTIME,
        "https://cognito-idp.eu-west-1.amazonaws.com",
    ]
    # The inline scripts of door.html and approve.html by hash, never 'unsafe-inline'.
    scripts = csp["script-src"].split()
    assert scripts[0] == "'self'"
    assert len(scripts) > 1
    assert all(s.startswith("'sha256-") for s in scripts[1:])
    assert "unsafe" not in text


def test_the_path_function_is_on_viewer_requests(template: Template) -> None:
    [(function_id, function)] = template.find_resources("AWS::CloudFront::Function").items()
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["Properties"]["FunctionCode"] == cloudfront_function_code()
    config = _one(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    [association] = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"] == {"Fn::GetAtt": [function_id, "FunctionARN"]}


def test_the_path_function_maps_every_page_as_the_local_server_does() -> None:
    node = shutil.which("node")
    if node is None:
        missing("node is not installed: the CloudFront Function's code is run with it")
    paths = [*PAGES, "/door/", "/static/console.js", "/config.json", "/nowhere"]
    script = (
        cloudfront_function_code()
        + f"console.log(JSON.stringify({json.dumps(paths)}.map("
        + "(uri) => handler({ request: { uri: uri } }).uri)));"
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(result.stdout) == [
        *(f"/{file}" for file in PAGES.values()),
        "/door.html",
        "/static/console.js",
        "/config.json",
        "/nowhere",
    ]


def test_the_deployment_writes_config_json_for_appsync(template: Template, synth_dir: Path) -> None:
    deployment = _one(template, "Custom::CDKBucketDeployment")["Properties"]
    assert deployment["DistributionPaths"] == ["/*"]
    assert len(deployment["SourceObjectKeys"]) == 2  # frontend/ and config.json
    # Source.json_data stages config.json as an asset at synth: read what will be deployed.
    [staged] = [json.loads(p.read_text()) for p in synth_dir.glob("asset.*/config.json")]
    assert staged == {
        "mode": "appsync",
        "graphqlUrl": GRAPHQL,
        "realtimeUrl": REALTIME,
        "apiKey": "da2-key",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_pool",
        "userPoolClientId": "client123",
    }


def test_the_deployed_files_are_the_pages_without_tests_or_graphiql(synth_dir: Path) -> None:
    [frontend] = [p.parent for p in synth_dir.glob("asset.*/index.html")]
    assert (frontend / "static" / "graphql.js").is_file()
    assert not (frontend / "tests").exists()
    assert not (frontend / "graphiql.html").exists()


def test_tokens_pass_through_and_cdk_nag_finds_nothing_unexplained(tmp_path: Path) -> None:
    # GIVEN the stack's values as tokens (an API, a user pool made in the same stack), cdk-nag's checks on
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    Validations.of(app).add_plugins(AwsSolutionsChecks())
    stack = Stack(app, "PagesTokens")
    values = {
        name: CfnParameter(stack, name).value_as_string for name in ("Gql", "Rt", "Key", "Pool", "Client")
    }
    Pages(
        stack,
        "Pages",
        graphql_url=values["Gql"],
        realtime_url=values["Rt"],
        api_key=values["Key"],
        region=Aws.REGION,
        user_pool_id=values["Pool"],
        user_pool_client_id=values["Client"],
    )
    # WHEN it synthesises (a finding without an acknowledgment fails validation here)
    app.synth()
    # THEN config.json is filled in at deploy and the CSP names the endpoints by reference
    [staged] = [p.read_text() for p in tmp_path.glob("asset.*/config.json")]
    assert "<<marker:" in staged
    template = Template.from_stack(stack)
    [policy] = template.find_resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
    ]
    text = json.dumps(csp["ContentSecurityPolicy"])
    assert '{"Ref": "Gql"}' in text
    assert '{"Ref": "Rt"}' in text
    assert '{"Ref": "AWS::Region"}' in text


def test_cdk_nag_finds_nothing_unexplained_in_a_stack_with_its_own_region(tmp_path: Path) -> None:
    # GIVEN a stack bound to a region, as the app's is: cdk-nag then names CDK's assets bucket with it
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    Validations.of(app).add_plugins(AwsSolutionsChecks())
    stack = Stack(app, "PagesInRegion", env={"account": "111111111111", "region": "eu-west-1"})
    Pages(
        stack,
        "Pages",
        graphql_url=GRAPHQL,
        realtime_url=REALTIME,
        api_key="da2-key",
        region="eu-west-1",
        user_pool_id="eu-west-1_pool",
        user_pool_client_id="client123",
    )
    # THEN it synthesises: the deployment handler's grant on that bucket is acknowledged under that name
    app.synth()
