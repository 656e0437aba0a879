"""The local edge: the strawberry GraphQL server, the pages it serves, and the `smartdoor` command."""
