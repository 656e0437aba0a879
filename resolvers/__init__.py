"""The AppSync Lambda resolvers: one Lambda behind every field of schema.graphql.

Entry point: resolvers.app.handler."""
