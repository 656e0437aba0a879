"""A registration in one SQLite transaction.

The adapters below run on this thread's connection, so their statements join the transaction, and their
own transactions become savepoints in it: all of it commits, or a failure rolls all of it back. The SMS is
a row of the outbox in the same database, so it exists exactly when the registration does.
"""

from __future__ import annotations

from datetime import datetime

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.local.sqlite_claims import SqliteClaims
from smartdoor.adapters.local.sqlite_face_owners import SqliteFaceOwners
from smartdoor.adapters.local.sqlite_limits import SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
from smartdoor.adapters.registration_steps import apply_delivery, apply_registration
from smartdoor.ports import PasscodeDelivery, RegistrationUnit


class SqliteRegistrations:
    def __init__(
        self,
        db: Database,
        sightings: SqliteSightings,
        visitors: SqliteVisitors,
        owners: SqliteFaceOwners,
        passcodes: SqlitePasscodes,
        throttle: SqliteThrottle,
        outbox: Outbox,
        claims: SqliteClaims,
    ) -> None:
        self._db = db
        self._stores = (sightings, visitors, owners, passcodes, throttle, outbox, claims)
        self._delivery_stores = (passcodes, throttle, outbox)

    def register(self, unit: RegistrationUnit, now: datetime) -> None:
        with storage("register the visitor"), self._db.transaction():
            apply_registration(unit, now, *self._stores)

    def issue_passcode(self, delivery: PasscodeDelivery, now: datetime) -> None:
        with storage("issue the passcode"), self._db.transaction():
            apply_delivery(delivery, now, *self._delivery_stores)
