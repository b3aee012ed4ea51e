"""A STAND-IN for the provincial system / National Public Service Portal, for tests only: a local HTTP
server that follows the contract of docs/portal.md (it is not the real portal, whose interface could
not be established; the real endpoint is configuration). It checks the token and each record, keeps
accepted records once per id (idempotent), and can be told to be down for the next N requests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUIRED = ("id", "dossier_code", "status", "at", "received_at")


class PortalStandIn:
    def __init__(self, token: str = "portal-secret", known_codes: set[str] | None = None):
        self.token = token
        self.known_codes = known_codes  # procedure codes the far side knows (None: any)
        self.records: dict[str, dict] = {}
        self.requests = 0
        self.down_for = 0
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                standin.requests += 1
                if self.path != "/v1/dossier-events":
                    return self._send(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {standin.token}":
                    return self._send(401, {"error": "bad token"})
                with standin.lock:
                    if standin.down_for > 0:
                        standin.down_for -= 1
                        return self._send(503, {"error": "down"})
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    records = body["records"]
                except (ValueError, KeyError, TypeError):
                    return self._send(400, {"accepted": [], "rejected": [], "error": "bad body"})
                accepted, rejected = [], []
                for r in records:
                    missing = [k for k in REQUIRED if not r.get(k)]
                    if missing:
                        rejected.append({"id": r.get("id"), "error": f"thiếu {', '.join(missing)}"})
                    elif standin.known_codes is not None and r.get("procedure_code") not in standin.known_codes:
                        rejected.append({"id": r["id"], "error": f"mã thủ tục {r.get('procedure_code')} không có"})
                    else:
                        with standin.lock:
                            standin.records.setdefault(r["id"], r)
                        accepted.append(r["id"])
                self._send(200, {"accepted": accepted, "rejected": rejected})

            def _send(self, status: int, body: dict) -> None:
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PortalStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def for_dossier(self, code: str) -> list[dict]:
        return sorted((r for r in self.records.values() if r["dossier_code"] == code), key=lambda r: r["at"])
