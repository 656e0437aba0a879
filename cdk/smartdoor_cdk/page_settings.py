"""What the pages are told and allowed on AWS (config.json, the CSP), without the CDK: the Pages construct
deploys them and the browser tests' static server serves the very same, so the tests hold the deployment."""

from __future__ import annotations

from pathlib import Path

from smartdoor.edges.page_paths import content_security_policy, inline_script_hashes

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
# Not pages: the node tests, and GraphiQL, whose page talks to the local server's /graphql only.
NOT_DEPLOYED = ["tests", "tests/*", "graphiql", "graphiql/*", "graphiql.html"]


def cognito_endpoint(region: str, override: str | None = None) -> str:
    """Where the console calls Cognito's InitiateAuth (an override serves an offline user pool)."""
    return override or f"https://cognito-idp.{region}.amazonaws.com"


def pages_config(
    *,
    graphql_url: str,
    realtime_url: str,
    api_key: str,
    region: str,
    user_pool_id: str,
    user_pool_client_id: str,
    cognito_override: str | None = None,
) -> dict[str, str]:
    """The pages' /config.json on AWS: read by static/graphql.js (transport) and static/cognito.js."""
    config = {
        "mode": "appsync",
        "graphqlUrl": graphql_url,
        "realtimeUrl": realtime_url,
        "apiKey": api_key,
        "region": region,
        "userPoolId": user_pool_id,
        "userPoolClientId": user_pool_client_id,
    }
    if cognito_override:
        config["cognitoEndpoint"] = cognito_override
    return config


def pages_csp(
    *, graphql_url: str, realtime_url: str, region: str, user_pool_id: str, cognito_override: str | None
) -> str:
    """The CSP CloudFront sends: AppSync's two endpoints, Cognito's only when a user pool is configured,
    and the presigned S3 links the door's photos come as."""
    connect = [graphql_url, realtime_url]
    if user_pool_id:
        connect.append(cognito_endpoint(region, cognito_override))
    images = ["https://*.s3.amazonaws.com", f"https://*.s3.{region}.amazonaws.com"]
    return content_security_policy(
        connect=connect, images=images, script_hashes=inline_script_hashes(FRONTEND)
    )
