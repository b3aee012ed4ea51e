"""Loading a site's configuration (services, counters, officers): an operation like any other, so the
lobby screens and device configs follow once it commits."""

from __future__ import annotations

from hub.ops.context import Ctx
from hub.store import devices as device_store
from hub.store.sites import load_config


def load_site(ctx: Ctx, config: dict) -> str:
    site = load_config(ctx.db, config)
    device_store.bump_revision(ctx.db)  # a running hub re-sends device configs and display state
    ctx.effects.display_sites.add(site)
    return site
