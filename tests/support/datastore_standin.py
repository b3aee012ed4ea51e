"""A STAND-IN for the national portal's electronic data store of citizens, for tests only: a local HTTP
server speaking the shape of hub/ops/datastore_api.py (it is not the portal, whose API for this could not
be established). It checks the credentials and the file's SHA-256, keeps each document once by its code
(201 the first time, 200 with the same reference for the same bytes again, 409 for other bytes under the
same code), and counts every request so a test can say how many pushes reached it."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DataStoreStandIn:
    def __init__(self, port: int = 0, client_id: str = "motcua-thu", secret: str = "bi-mat-kho-du-lieu"):
        self.client_id, self.secret = client_id, secret
        self.documents: dict[str, dict] = {}  # document code → the body as received (file bytes decoded)
        self.created: list[str] = []  # document codes in the order they were first stored
        self.requests: list[tuple[str, int]] = []  # (document code, status answered)
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                status, body = standin._handle(self)
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handle(self, h: BaseHTTPRequestHandler) -> tuple[int, dict]:
        if h.path != "/v1/giay-to":
            return 404, {"loi": "không có"}
        if h.headers.get("Authorization") != f"Bearer {self.secret}" or h.headers.get("X-Client-Id") != self.client_id:
            return 401, {"loi": "sai thông tin xác thực"}
        try:
            body = json.loads(h.rfile.read(int(h.headers["Content-Length"])))
            code, f = body["ma_giay_to"], body["tep"]
            data = base64.b64decode(f["du_lieu"], validate=True)
        except (ValueError, KeyError, TypeError):
            return 400, {"loi": "thân yêu cầu không đúng"}
        if h.headers.get("Idempotency-Key") != code:
            return 400, {"loi": "Idempotency-Key phải là mã giấy tờ"}
        if hashlib.sha256(data).hexdigest() != f.get("sha256") or data[:5] != b"%PDF-":
            return 422, {"loi": "tệp không khớp mã kiểm tra"}
        if not code.startswith(str(body.get("so_dinh_danh") or "?") + "."):
            return 422, {"loi": "mã giấy tờ không bắt đầu bằng số định danh"}
        with self.lock:
            held = self.documents.get(code)
            if held is None:
                self.documents[code] = {**body, "tep": {**f, "du_lieu": data}}
                self.created.append(code)
                status = 201
            elif held["tep"]["sha256"] == f["sha256"]:
                status = 200  # a retry after a lost answer: the same document, the same reference
            else:
                status = 409
            self.requests.append((code, status))
        if status == 409:
            return 409, {"loi": "mã giấy tờ đã có với nội dung khác"}
        return status, {"ma_luu_tru": f"KDL-{hashlib.sha256(code.encode()).hexdigest()[:12]}"}

    def __enter__(self) -> DataStoreStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
