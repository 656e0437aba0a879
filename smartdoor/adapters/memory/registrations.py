"""The in-memory registration unit: every store it touches is locked for the whole unit, and a failure puts
each one back as it was, as a rolled-back transaction would."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import Any, TypeVar

from smartdoor.adapters.memory.messaging import MemorySms
from smartdoor.adapters.memory.stores import (
    MemoryClaims,
    MemoryFaceOwners,
    MemoryPasscodes,
    MemorySightings,
    MemoryThrottle,
    MemoryVisitors,
)
from smartdoor.adapters.registration_steps import apply_delivery, apply_registration
from smartdoor.ports import PasscodeDelivery, RegistrationUnit

T = TypeVar("T")


class MemoryRegistrations:
    def __init__(
        self,
        sightings: MemorySightings,
        visitors: MemoryVisitors,
        owners: MemoryFaceOwners,
        passcodes: MemoryPasscodes,
        throttle: MemoryThrottle,
        sms: MemorySms,
        claims: MemoryClaims,
    ) -> None:
        self._stores = (sightings, visitors, owners, passcodes, throttle, sms, claims)
        self._delivery_stores = (passcodes, throttle, sms)
        # The dicts and lists a registration changes, with the lock (if any) that guards each.
        self._state: list[tuple[Any, Any]] = [
            (sightings.items, sightings._lock),
            (visitors.items, visitors._lock),
            (owners.items, owners._lock),
            (passcodes.items, passcodes._lock),
            (throttle.windows, throttle._lock),
            (sms.sent, None),
            (claims.items, claims._lock),
        ]

    def register(self, unit: RegistrationUnit, now: datetime) -> None:
        self._unit(lambda: apply_registration(unit, now, *self._stores))

    def issue_passcode(self, delivery: PasscodeDelivery, now: datetime) -> None:
        self._unit(lambda: apply_delivery(delivery, now, *self._delivery_stores))

    def _unit(self, steps: Callable[[], T]) -> T:
        with ExitStack() as locks:
            for _, lock in self._state:
                if lock is not None:
                    locks.enter_context(lock)  # re-entrant: the stores' own methods take them again
            saved = [state.copy() for state, _ in self._state]
            try:
                return steps()
            except BaseException:
                for (state, _), before in zip(self._state, saved, strict=True):
                    state.clear()
                    (state.update if isinstance(state, dict) else state.extend)(before)
                raise
