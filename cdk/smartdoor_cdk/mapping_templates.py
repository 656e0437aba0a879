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

# A function error reaches the client with its type (the error code) and message.
RESPONSE = "#if($ctx.error)$util.error($ctx.error.message,$ctx.error.type)#end$util.toJson($ctx.result)"
