"""The parse and validation caches only work if every request presents the same cache key."""

from __future__ import annotations

from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache

from smartdoor.server.graphql_api import build_schema


def _request_extensions() -> list[object]:
    # What strawberry does per request: call each factory once.
    return [factory() for factory in build_schema().extensions]


def test_the_caches_are_on() -> None:
    extensions = _request_extensions()
    assert any(isinstance(e, ParserCache) for e in extensions)
    assert any(isinstance(e, ValidationCache) for e in extensions)


def test_validation_rules_are_the_same_classes_on_every_request() -> None:
    # ValidationCache keys on the rule classes: a limiter that builds a new rule class per request (as
    # QueryDepthLimiter and MaxAliasesLimiter do in __init__) makes every request miss the cache.
    schema = build_schema()

    def rules() -> list[type]:
        found: list[type] = []
        for factory in schema.extensions:
            extension = factory()
            if isinstance(extension, AddValidationRules):
                found.extend(extension.validation_rules)
        return found

    first, second = rules(), rules()
    assert first
    assert first == second
    assert all(a is b for a, b in zip(first, second, strict=True))
