#!/usr/bin/env python3
"""A local webhook receiver for Curbside's webhooks worker.

Standard library only. Every POST to a path other than /_control/... is a delivery: it is
recorded (as a JSON line in --log, and in memory) with its event id, type and object id, whether
its Curbside-Signature verifies with the secrets the receiver holds, and when it came; then it is
answered as the current mode says.

  Signature check: Curbside-Signature is "t=<unix seconds>,v1=<hex>[,v1=<hex>...]"; each v1 is
  HMAC-SHA256(secret, "<t>.<raw body>"), compared in constant time. No replay window here: the
  tests move the server's clock, not this one's (the verification snippet of the docs has it).

Control endpoints (for tests; no auth):
  POST /_control/secrets   {"secrets": ["whsec_...", ...]}   the secrets deliveries must verify with
  POST /_control/mode      {"mode": "accept" | "fail" | "hang", "status": 500}
                           accept: 200 "ok"; fail: `status` with a JSON error body; hang: hold the
                           request until /_control/release (or 300 s), then answer 200
  POST /_control/release   answer every held request now
  GET  /_control/requests  every delivery so far: [{event_id, event_type, object_id, type,
                           signature_valid, valid_secrets: [index in secrets], v1_count, t,
                           at, answered}]
Usage: webhook_receiver.py --port PORT --log FILE [--secret S]...
"""
import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD_SECONDS = 300


class State:
    def __init__(self, log_path, secrets):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.secrets = list(secrets)
        self.mode = "accept"
        self.status = 500
        self.requests = []
        self.release = threading.Event()

    def record(self, entry):
        with self.lock:
            self.requests.append(entry)
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")


def verify(secrets, header, body):
    """(indices of the secrets some v1 matches, number of v1 values, t)."""
    parts = [p.split("=", 1) for p in (header or "").split(",") if "=" in p]
    t = next((v for k, v in parts if k == "t"), None)
    v1s = [v for k, v in parts if k == "v1"]
    if t is None:
        return [], len(v1s), None
    signed = t.encode() + b"." + body
    valid = []
    for i, secret in enumerate(secrets):
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, v) for v in v1s):
            valid.append(i)
    return valid, len(v1s), t


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def answer(self, status, body, content_type="application/json"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def do_GET(self):
            if self.path == "/_control/requests":
                with state.lock:
                    self.answer(200, json.dumps(state.requests))
            else:
                self.answer(404, "{}")

        def control(self, body):
            doc = json.loads(body or b"{}")
            if self.path == "/_control/secrets":
                state.secrets = list(doc.get("secrets", []))
            elif self.path == "/_control/mode":
                state.mode = doc.get("mode", "accept")
                state.status = int(doc.get("status", 500))
                if state.mode != "hang":
                    state.release.set()
                    state.release = threading.Event()
            elif self.path == "/_control/release":
                state.release.set()
                state.release = threading.Event()
            else:
                return self.answer(404, "{}")
            self.answer(200, "{}")

        def do_POST(self):
            body = self.read_body()
            if self.path.startswith("/_control/"):
                return self.control(body)
            valid, v1_count, t = verify(state.secrets, self.headers.get("Curbside-Signature"), body)
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            mode, release = state.mode, state.release
            state.record({
                "event_id": self.headers.get("Curbside-Event-Id"),
                "event_type": self.headers.get("Curbside-Event-Type"),
                "content_type": self.headers.get("Content-Type"),
                "user_agent": self.headers.get("User-Agent"),
                "id": event.get("id"),
                "type": event.get("type"),
                "object_id": ((event.get("data") or {}).get("object") or {}).get("id"),
                "signature_valid": bool(valid),
                "valid_secrets": valid,
                "v1_count": v1_count,
                "t": t,
                "at": time.time(),
                "path": self.path,
                "mode": mode,
                "event": event,
            })
            if mode == "hang":
                release.wait(HOLD_SECONDS)
                return self.answer(200, "ok", "text/plain")
            if mode == "fail":
                return self.answer(state.status, json.dumps({"error": "receiver is failing"}))
            self.answer(200, "ok", "text/plain")

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--secret", action="append", default=[])
    args = ap.parse_args()
    state = State(args.log, args.secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
