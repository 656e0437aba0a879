"""The VTL mapping templates of the Lambda data source: one text for the CDK app and the local AppSync.

Every resolver invokes the resolvers Lambda through these templates rather than as a direct Lambda resolver,
so that the local AppSync (which has no direct-Lambda mode) runs exactly what deploys, read back from the
synthesised template. The request template hands the function the same event a direct Lambda resolver gets,
so powertools' AppSyncResolver routes it unchanged.
"""

from __future__ import annotations

REQUEST = (
    '{"version":"2018-05-29","operation":"Invoke","payload":{'
    '"arguments":$util.toJson($ctx.arguments),'
    '"identity":$util.toJson($ctx.identity),'
    '"source":$util.toJson($ctx.source),'
    '"request":$util.toJson($ctx.request),'
    '"info":$util.toJson($ctx.info),'
    '"prev":null,'
    '"stash":$util.toJson($ctx.stash)}}'
)

# A function failure (a timeout, a crash) reaches the client with its type and message; a refusal arrives as
# the function's error envelope (resolvers/errors.py) and becomes an error with the code as errorType and the
# local server's extensions (field, retryAfter) as errorInfo. An envelope's key is on no schema type, so data
# never matches it; a scalar result (forgetVisitor's ID) has no such property.
RESPONSE = (
    "#if($ctx.error)$util.error($ctx.error.message,$ctx.error.type)#end"
    "#if($ctx.result.smartdoorError)"
    "$util.error($ctx.result.smartdoorError.message,$ctx.result.smartdoorError.type,"
    "null,$ctx.result.smartdoorError.info)"
    "#end"
    "$util.toJson($ctx.result)"
)
