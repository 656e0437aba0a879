"""The photo bucket's purge contract, shared by the photo store (which tags) and the CDK app (whose lifecycle
rule expires what matches): objects under PURGED_PREFIX tagged REGISTERED_TAG=UNREGISTERED.

Plain constants with no imports, so the CDK app reads them without loading boto3 or any adapter.
"""

from __future__ import annotations

# Where a stranger's snapshots are stored (services/sightings.py, services/awaited_photos.py). A visitor's own
# photos (enrolment, returning visits) live under visitors/ and are never purged.
PURGED_PREFIX = "sightings/"
REGISTERED_TAG = "smartdoor:registered"
UNREGISTERED = "false"  # stored so: the lifecycle rule expires it after purge_days
REGISTERED = "true"  # set when the sighting is registered: the rule no longer matches
