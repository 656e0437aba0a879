"""publishSighting: the stream handler (IAM) announces a sighting; AppSync hands the answer to the
console's onSighting subscribers. Nothing is stored here (the sighting already is); the answer carries
fresh photo links."""

from __future__ import annotations

from resolvers.calls import door, new_router, the_caller
from smartdoor.api_shapes import Shape, sighting_in, sighting_shape
from smartdoor.domain.errors import NotAllowed

router = new_router()


@router.resolver(type_name="Mutation", field_name="publishSighting")
def publish_sighting(input: dict[str, object]) -> Shape:
    if not the_caller(router).publisher:
        # AppSync lets only IAM reach this field; the check here keeps that true whatever the API's auth says.
        raise NotAllowed("Only the door's stream handler announces sightings.")
    return sighting_shape(door().photos, sighting_in(input))
