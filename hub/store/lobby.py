"""The rows of a site's lobby state (hub.ops.views.display_state), read together: after every call the
state is rebuilt before the commit, and on PostgreSQL its half-dozen independent reads are one round
trip (`read_many`) instead of one each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.store import appointments, dossiers, sites, tickets
from hub.store.db import Db, read_many


@dataclass(frozen=True)
class LobbyRows:
    waiting: dict[str, int]  # people waiting per service today
    counters: list[tuple]  # sites.counters_with_current's rows
    booked: set[int]  # which current tickets are appointment tickets
    service_times: dict[str, tuple[float, ...]]  # per service, as tickets.recent_service_times
    last_call: dict | None  # as tickets.last_call
    ready_dossiers: int  # as dossiers.ready_count


def lobby_rows(db: Db, site_id: str, day: str, services: Sequence[str]) -> LobbyRows:
    unknown = tickets.service_times_known(db, site_id, services)  # the rest come from the memo
    reads = [(tickets.WAITING_COUNTS, [site_id, day]), (sites.COUNTERS_WITH_CURRENT, [site_id]),
             (appointments.CURRENT_BOOKED, [site_id]), (tickets.LAST_CALL, [site_id]),
             (dossiers.READY_COUNT, [site_id]),
             *((tickets.SERVICE_TIMES, [site_id, code, 20]) for code in unknown)]
    waiting, counters, booked, last, ready, *times = read_many(db, reads)
    fresh = {code: tickets.keep_service_times(db, site_id, code, rows) for code, rows in zip(unknown, times, strict=True)}
    return LobbyRows(
        waiting={service: n for service, n in waiting},
        counters=counters,
        booked={r[0] for r in booked},
        service_times={code: fresh[code] if code in fresh else tickets.recent_service_times(db, site_id, code)
                       for code in services},
        last_call=tickets.last_call_of(last[0] if last else None),
        ready_dossiers=ready[0][0],
    )
