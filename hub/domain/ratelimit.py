"""A sliding-window limit per client (pure: the caller passes `now`).

Public dossier lookups are limited per client address (HTTP) or device (MQTT), so that trying lookup keys
or codes one after another is slow, while a citizen checking a dossier a few times is never refused."""

from __future__ import annotations

from collections import deque


class RateLimiter:
    def __init__(self, limit: int, window_s: float, max_clients: int = 10_000):
        self.limit, self.window_s, self.max_clients = limit, window_s, max_clients
        self._hits: dict[str, deque[float]] = {}

    def allow(self, client: str, now: float) -> bool:
        """Count one attempt for `client`; False (and not counted) when it already made `limit` attempts
        in the last `window_s` seconds."""
        hits = self._hits.get(client)
        if hits is None:
            if len(self._hits) >= self.max_clients:  # a flood of addresses cannot grow memory without bound
                self._forget_idle(now)
            hits = self._hits[client] = deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until `client` may try again (0 when it may now)."""
        hits = self._hits.get(client)
        if not hits or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window_s - now)

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= now - self.window_s]:
            del self._hits[client]
        if len(self._hits) >= self.max_clients:
            self._hits.clear()
