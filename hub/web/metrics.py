"""Prometheus metrics at /metrics (prometheus-client): requests by verb, errors, latency, queue length and
longest wait per service, devices online, commit failures.

Private by default (a technician's token or session; Prometheus sends it as `authorization` in its
scrape config); an operator who serves /metrics only on a trusted network may set `metrics_public` in
the hub's configuration. Gauges are read from the database at scrape time, never kept on the side.

Scoped like everything else (hub.domain.authz): a technician of one site scrapes only that site's series
(queues, devices, its fleet); the hub-wide series (requests by verb, commit failures) are for the
province scope, or for the technician of the one site a commune hub serves."""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from hub.domain.queue import local_day
from hub.mqtt.verbs import VERBS
from hub.ops import fleet
from hub.store import devices as device_store
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.web.auth import PRINCIPAL_KEY, requires, sees_hub
from hub.web.common import HUB_KEY, hub_of
from hub.web.schema import describe

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self, app: web.Application) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("motcua_requests", "MQTT requests served, by verb", ["verb"], registry=self.registry)
        self.errors = Counter("motcua_request_errors", "MQTT requests refused as malformed or failed, by verb",
                              ["verb"], registry=self.registry)
        self.latency = Histogram("motcua_request_seconds", "Time to serve one MQTT request (before commit)",
                                 ["verb"], buckets=BUCKETS, registry=self.registry)
        self.registry.register(_State(app))
        # Each verb's three series, looked up once: `labels()` per request was a thirtieth of the hub's
        # CPU per ticket. A verb the hub does not know is counted as "other", so a device cannot grow the
        # series without bound by inventing verbs.
        self._series: dict[str, tuple] = {}

    def observe(self, verb: str, failed: bool, seconds: float) -> None:
        series = self._series.get(verb)
        if series is None:
            label = verb if verb in VERBS else "other"
            series = (self.requests.labels(label), self.errors.labels(label), self.latency.labels(label))
            if label == verb:
                self._series[verb] = series
        series[0].inc()
        if failed:
            series[1].inc()
        series[2].observe(seconds)


class _State(Collector):
    """What the database says now: queues, waits, devices; and the router's commit failures."""

    def __init__(self, app: web.Application, site: str | None = None, hub_wide: bool = True) -> None:
        self.app = app
        self.site = site  # None: every site
        self.hub_wide = hub_wide

    def collect(self) -> Iterator:
        hub = self.app[HUB_KEY]
        waiting = GaugeMetricFamily("motcua_queue_waiting", "Citizens waiting, per service", labels=["site", "service"])
        longest = GaugeMetricFamily("motcua_queue_longest_wait_seconds", "Longest current wait, per service",
                                    labels=["site", "service"])
        online = GaugeMetricFamily("motcua_devices_online", "Devices connected, per role", labels=["site", "role"])
        now = hub.clock()
        for sid in site_store.list_sites(hub.db):
            if self.site is not None and sid != self.site:
                continue
            site = site_store.get_site(hub.db, sid)
            day = local_day(now, site.tz)
            counts = ticket_store.waiting_counts(hub.db, sid, day)
            oldest: dict[str, float] = {}
            for t in ticket_store.day_times(hub.db, sid, day):
                if t.status == "waiting":
                    oldest[t.service] = max(oldest.get(t.service, 0.0), now - t.issued_at)
            for svc in site_store.list_services(hub.db, sid):
                waiting.add_metric([sid, svc.code], counts.get(svc.code, 0))
                longest.add_metric([sid, svc.code], round(oldest.get(svc.code, 0.0), 1))
            roles: dict[str, int] = {}
            for d in device_store.list_all(hub.db, sid):
                if not d.revoked:
                    roles[d.role] = roles.get(d.role, 0) + (d.status == "online")
            for role, n in sorted(roles.items()):
                online.add_metric([sid, role], n)
        yield from (waiting, longest, online)
        if self.hub_wide:
            failures = CounterMetricFamily("motcua_commit_failures", "Request batches whose transaction failed")
            failures.add_metric([], hub.router.stats.get("failed_commits", 0) if hub.router else 0)
            yield failures
        # The fleet (hub.ops.fleet): devices by state and devices raising each alert, in scope.
        view = fleet.fleet_view(hub.db, hub.config.data_dir, now, self.site)
        states = GaugeMetricFamily("motcua_devices", "Devices by state", labels=["state"])
        counts: dict[str, int] = {}
        for r in view["devices"]:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
        for state in ("online", "offline", "never", "pending", "revoked"):
            states.add_metric([state], counts.get(state, 0))
        alerts = GaugeMetricFamily("motcua_fleet_alerts", "Devices raising each alert", labels=["alert"])
        for alert, n in view["alert_counts"].items():
            alerts.add_metric([alert], n)
        yield from (states, alerts)


METRICS_KEY = web.AppKey("metrics", Metrics)


def _public(request: web.Request) -> bool:
    return bool(hub_of(request).config.extra.get("metrics_public"))


@describe("Prometheus metrics (text exposition format)", roles=("technician",), returns="text/plain")
@requires("technician", on="own", open_when=_public)
async def metrics(request: web.Request) -> web.Response:
    p = request.get(PRINCIPAL_KEY)
    if p is None or sees_hub(request, p):
        registry = request.app[METRICS_KEY].registry  # everything: the province, or the hub's only site
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_State(request.app, p.site, hub_wide=False))
    body = generate_latest(registry)
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def _attach(app: web.Application) -> None:
    hub = app[HUB_KEY]
    if hub.router is not None:
        hub.router.observe = app[METRICS_KEY].observe


def add_routes(app: web.Application) -> None:
    app[METRICS_KEY] = Metrics(app)
    app.on_startup.append(_attach)
    app.router.add_get("/metrics", metrics)
