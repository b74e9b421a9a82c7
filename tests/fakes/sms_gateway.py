#!/usr/bin/env python3
"""A local fake of the Twilio-compatible SMS API Curbside's SMS worker speaks.

Standard library only. State lives in memory for the life of the process.

  POST <any prefix>/Messages.json   form To, From, Body; HTTP basic auth --account:--token
                                    (401 otherwise) -> 201 {sid, status: "queued", to, from, body}
                                    (400 {code: 21211, message} for a To that is not E.164)

Control endpoints (for tests; no auth):
  POST /_control/next      {"mode": "error500" | "timeout" | "hold" | "down", "count": 1,
                           "seconds": 3}
                           the next `count` messages answer 500 (error500), or wait `seconds`
                           before answering 201 (timeout: the client should have given up), or
                           wait for /_control/release before answering 201 (hold: no clock
                           involved, nothing recorded as sent); "down" answers 500 to every
                           message until the mode is cleared ({"mode": null})
  POST /_control/release   answer every held message now, and forget the holds not used yet
  GET  /_control/messages  the messages accepted (201): [{sid, to, from, body, at}]
  GET  /_control/attempts  every message request: [{to, outcome: "sent"|"error500"|"timeout"|
                           "held"|"unauthorized"|"invalid"}]
  POST /_control/reset     forget everything (held messages are released)

Usage: sms_gateway.py --port PORT (0: any free port, printed on the first line)
                      [--account AC...] [--token TOKEN]
"""
import argparse
import base64
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.mode = None
        self.reset()

    def reset(self):
        self.release()
        self.messages = []
        self.attempts = []
        self.mode = None
        self.count = 0
        self.seconds = 3.0

    def next_mode(self):
        """The switch that applies to this message (and count it down)."""
        with self.lock:
            if self.mode == "down":
                return "error500"
            if self.mode and self.count > 0:
                self.count -= 1
                mode = self.mode
                if self.count == 0:
                    self.mode = None
                return mode
            return None

    def release(self):
        """Answer the held messages and forget the holds not used yet (call with the lock held)."""
        self.held.set()
        self.held = threading.Event()
        if self.mode == "hold":
            self.mode, self.count = None, 0

    def attempt(self, to, outcome):
        with self.lock:
            self.attempts.append({"to": to, "outcome": outcome, "at": time.time()})


STATE = State()
ARGS = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("sms_gateway: " + (fmt % args) + "\n")

    def answer(self, status, doc):
        data = json.dumps(doc).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def authorized(self):
        expected = base64.b64encode(f"{ARGS.account}:{ARGS.token}".encode()).decode()
        return self.headers.get("Authorization", "") == "Basic " + expected

    def do_GET(self):
        with STATE.lock:
            if self.path == "/_control/messages":
                return self.answer(200, STATE.messages)
            if self.path == "/_control/attempts":
                return self.answer(200, STATE.attempts)
        self.answer(404, {"code": 20404, "message": "not found"})

    def control(self, body):
        if self.path == "/_control/reset":
            with STATE.lock:
                STATE.reset()
            return self.answer(200, {})
        if self.path == "/_control/release":
            with STATE.lock:
                STATE.release()
            return self.answer(200, {})
        if self.path == "/_control/next":
            doc = json.loads(body or "{}")
            with STATE.lock:
                STATE.mode = doc.get("mode")
                STATE.count = int(doc.get("count", 1))
                STATE.seconds = float(doc.get("seconds", 3))
            return self.answer(200, {})
        return self.answer(404, {"code": 20404, "message": "not found"})

    def do_POST(self):
        body = self.read_body()
        if self.path.startswith("/_control/"):
            return self.control(body)
        if not self.path.endswith("/Messages.json"):
            return self.answer(404, {"code": 20404, "message": "not found"})
        form = dict(parse_qsl(body, keep_blank_values=True))
        to = form.get("To", "")
        if not self.authorized():
            STATE.attempt(to, "unauthorized")
            return self.answer(401, {"code": 20003, "message": "Authenticate"})
        mode = STATE.next_mode()
        if mode == "error500":
            STATE.attempt(to, "error500")
            return self.answer(500, {"code": 20500, "message": "Internal Server Error"})
        if not E164.match(to) or not form.get("Body"):
            STATE.attempt(to, "invalid")
            return self.answer(400, {"code": 21211,
                                     "message": f"The 'To' number {to} is not a valid phone number."})
        if mode == "timeout":
            STATE.attempt(to, "timeout")
            time.sleep(STATE.seconds)
            return self.answer(201, {"sid": "SM" + secrets.token_hex(16), "status": "queued"})
        if mode == "hold":
            STATE.attempt(to, "held")
            with STATE.lock:
                held = STATE.held
            held.wait()
            return self.answer(201, {"sid": "SM" + secrets.token_hex(16), "status": "queued"})
        message = {"sid": "SM" + secrets.token_hex(16), "to": to, "from": form.get("From"),
                   "body": form.get("Body"), "at": time.time()}
        with STATE.lock:
            STATE.messages.append(message)
        STATE.attempt(to, "sent")
        self.answer(201, dict(message, status="queued"))


def main():
    global ARGS
    parser = argparse.ArgumentParser(description="A fake of a Twilio-compatible SMS API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account", default="AC_test_account")
    parser.add_argument("--token", default="sms_test_token")
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer((ARGS.host, ARGS.port), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
