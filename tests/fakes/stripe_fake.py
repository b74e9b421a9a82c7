#!/usr/bin/env python3
"""A local fake of the Stripe-compatible subset Curbside's `stripe` processor speaks.

Standard library only. State lives in memory for the life of the process.

The subset (docs/decisions.md, "Payments: processors"):
  POST /v1/payment_methods        type=card&card[token]=tok_... or
                                  type=us_bank_account&us_bank_account[token]=tok_bank_account...
                                  -> a payment method {id, type, card{brand,last4,exp_month,exp_year}
                                     | us_bank_account{bank_name,last4}}
  POST /v1/payment_intents        amount, currency, payment_method, confirm=true, off_session=true
                                  (Idempotency-Key) -> {id, status: succeeded | processing |
                                  requires_payment_method, last_payment_error}; a card decline
                                  answers 402 {error: {type: card_error, code, decline_code,
                                  message, payment_intent}}
  GET  /v1/payment_intents/{id}   -> the intent
  POST /v1/refunds                payment_intent, amount (Idempotency-Key) -> {id, status, ...}
Every /v1 request needs `Authorization: Bearer <--key>` (401 otherwise). An Idempotency-Key seen
before with the same parameters replays the stored answer; with other parameters -> 400
idempotency_error. Bank (ACH) intents stay `processing` until settled by /_control/settle or,
with --ach-settle-seconds, after that delay; tok_bank_account_returned settles as failed.

Control endpoints (for tests; no auth):
  POST /_control/next     {"mode": "decline"|"timeout"|"hold"|"error500", "count": 1, "seconds": 5}
                          the next `count` /v1 requests decline (a payment intent as a
                          card_declined), time out (the request is processed, then the answer
                          waits `seconds`), are held (processed, then the answer waits for
                          /_control/release: no clock involved), or answer 500 without doing
                          anything
  POST /_control/release  answer every held request now, and forget the holds not used yet
  GET  /_control/charges  {"by_key": {idempotency key: payment intents created}, "total": n}
  GET  /_control/requests the /v1 requests received: [{method, path, idempotency_key, form}]
  POST /_control/settle   {"id": "pi_..."} or {} for every processing intent
  POST /_control/reset    forget everything (held requests are released)

Usage: stripe_fake.py --port PORT (0: any free port, printed on the first line) [--key sk_test_...] [--ach-settle-seconds N]
"""
import argparse
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

CARDS = {
    "tok_visa": ("visa", "4242", None),
    "tok_mastercard": ("mastercard", "4444", None),
    "tok_amex": ("amex", "0005", None),
    "tok_chargeDeclined": ("visa", "0002", ("generic_decline", "Your card was declined.")),
    "tok_insufficientFunds": ("visa", "9995",
                              ("insufficient_funds", "Your card has insufficient funds.")),
}
BANKS = {
    "tok_bank_account": ("6789", False),
    "tok_bank_account_returned": ("0002", True),
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.methods = {}  # id -> (object, failure or None, returned flag)
        self.intents = {}  # id -> {"object": ..., "created": t, "returned": bool}
        self.idempotent = {}  # (path, key) -> (params, status, body)
        self.charges_by_key = {}
        self.total = 0
        self.switches = []  # pending modes for the next requests
        self.requests = []
        if getattr(self, "held", None):
            self.held.set()
        self.held = threading.Event()  # set by /_control/release


STATE = State()
ARGS = None


def new_id(prefix):
    return prefix + "_" + secrets.token_hex(12)


def error(status, type_, message, **extra):
    body = {"error": dict({"type": type_, "message": message}, **extra)}
    return status, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("stripe_fake: " + (fmt % args) + "\n")

    # --- plumbing ---
    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def answer(self, status, body):
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        raw = self.read_body()
        if self.path.startswith("/_control/"):
            return self.control(method, raw)
        form = dict(parse_qsl(raw, keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        with STATE.lock:
            STATE.requests.append({"method": method, "path": self.path,
                                   "idempotency_key": key, "form": form})
            mode = STATE.switches.pop(0) if STATE.switches else None
        if self.headers.get("Authorization") != "Bearer " + ARGS.key:
            return self.answer(*error(401, "invalid_request_error", "Invalid API Key provided."))
        if mode and mode["mode"] == "error500":
            return self.answer(*error(500, "api_error", "Something went wrong on our end."))
        status, body = self.dispatch(method, form, key, mode)
        if mode and mode["mode"] == "timeout":
            time.sleep(float(mode.get("seconds", 5)))
        if mode and mode["mode"] == "hold":
            with STATE.lock:
                held = STATE.held
            held.wait()
        self.answer(status, body)

    def dispatch(self, method, form, key, mode):
        decline = bool(mode and mode["mode"] == "decline")
        if method == "POST" and self.path == "/v1/payment_methods":
            return self.create_method(form)
        if method == "POST" and self.path == "/v1/payment_intents":
            return self.idempotent(key, form, lambda: self.create_intent(form, key, decline))
        if method == "GET" and self.path.startswith("/v1/payment_intents/"):
            return self.get_intent(self.path[len("/v1/payment_intents/"):])
        if method == "POST" and self.path == "/v1/refunds":
            return self.idempotent(key, form, lambda: self.create_refund(form))
        return error(404, "invalid_request_error", "Unrecognized request URL.")

    def idempotent(self, key, form, make):
        if not key:
            return make()
        with STATE.lock:
            seen = STATE.idempotent.get((self.path, key))
        if seen:
            params, status, body = seen
            if params != form:
                return error(400, "idempotency_error",
                             "Keys for idempotent requests can only be used with the same "
                             "parameters they were first used with.")
            return status, body
        status, body = make()
        if status < 500:
            with STATE.lock:
                STATE.idempotent[(self.path, key)] = (form, status, body)
        return status, body

    # --- the objects ---
    def create_method(self, form):
        kind = form.get("type")
        if kind == "card" and form.get("card[token]") in CARDS:
            token = form["card[token]"]
            brand, last4, failure = CARDS[token]
            obj = {"id": new_id("pm"), "object": "payment_method", "type": "card",
                   "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034}}
            returned = False
        elif kind == "us_bank_account" and form.get("us_bank_account[token]") in BANKS:
            last4, returned = BANKS[form["us_bank_account[token]"]]
            obj = {"id": new_id("pm"), "object": "payment_method", "type": "us_bank_account",
                   "us_bank_account": {"bank_name": "STRIPE TEST BANK", "last4": last4,
                                       "account_type": "checking"}}
            failure = None
        else:
            param = "us_bank_account[token]" if kind == "us_bank_account" else "card[token]"
            return error(400, "invalid_request_error", "No such token: '%s'" % form.get(param, ""),
                         code="resource_missing", param=param)
        with STATE.lock:
            STATE.methods[obj["id"]] = (obj, failure, returned)
        return 200, obj

    def create_intent(self, form, key, decline):
        with STATE.lock:
            method = STATE.methods.get(form.get("payment_method"))
        try:
            amount = int(form.get("amount", ""))
        except ValueError:
            amount = 0
        if not method:
            return error(400, "invalid_request_error", "No such PaymentMethod: '%s'"
                         % form.get("payment_method", ""), code="resource_missing",
                         param="payment_method")
        if amount <= 0 or not form.get("currency"):
            return error(400, "invalid_request_error", "Invalid amount or currency.",
                         param="amount")
        obj, failure, returned = method
        intent = {"id": new_id("pi"), "object": "payment_intent", "amount": amount,
                  "currency": form["currency"], "payment_method": obj["id"],
                  "status": "succeeded", "last_payment_error": None}
        if decline:
            failure = ("generic_decline", "Your card was declined.")
        bank = obj["type"] == "us_bank_account"
        if bank and not decline:
            intent["status"] = "processing"
        with STATE.lock:
            STATE.total += 1
            STATE.charges_by_key[key or ""] = STATE.charges_by_key.get(key or "", 0) + 1
            STATE.intents[intent["id"]] = {"object": intent, "created": time.time(),
                                           "returned": returned}
        if failure:
            decline_code, message = failure
            err = {"type": "card_error", "code": "card_declined", "decline_code": decline_code,
                   "message": message, "charge": new_id("ch")}
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = err
            return 402, {"error": dict(err, payment_intent=intent)}
        return 200, intent

    def settle(self, entry):
        intent = entry["object"]
        if intent["status"] != "processing":
            return
        if entry["returned"]:
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "invalid_request_error", "code": "bank_account_returned",
                "message": "Your bank returned the payment: the account could not be debited."}
        else:
            intent["status"] = "succeeded"

    def get_intent(self, pid):
        with STATE.lock:
            entry = STATE.intents.get(pid)
            if not entry:
                return error(404, "invalid_request_error", "No such payment_intent: '%s'" % pid,
                             code="resource_missing")
            if ARGS.ach_settle_seconds is not None and \
                    time.time() >= entry["created"] + ARGS.ach_settle_seconds:
                self.settle(entry)
            return 200, entry["object"]

    def create_refund(self, form):
        with STATE.lock:
            entry = STATE.intents.get(form.get("payment_intent"))
        if not entry:
            return error(400, "invalid_request_error", "No such payment_intent.",
                         code="resource_missing", param="payment_intent")
        intent = entry["object"]
        amount = int(form.get("amount") or intent["amount"])
        if intent["status"] != "succeeded" or amount <= 0 or amount > intent["amount"]:
            return error(400, "invalid_request_error", "This charge cannot be refunded.",
                         code="charge_not_refundable")
        return 200, {"id": new_id("re"), "object": "refund", "amount": amount,
                     "payment_intent": intent["id"], "status": "succeeded"}

    # --- control ---
    def control(self, method, raw):
        doc = json.loads(raw) if raw.strip() else {}
        with STATE.lock:
            if method == "POST" and self.path == "/_control/next":
                for _ in range(int(doc.get("count", 1))):
                    STATE.switches.append(doc)
                return self.answer(200, {"pending": len(STATE.switches)})
            if method == "GET" and self.path == "/_control/charges":
                return self.answer(200, {"by_key": STATE.charges_by_key, "total": STATE.total})
            if method == "GET" and self.path == "/_control/requests":
                return self.answer(200, STATE.requests)
            if method == "POST" and self.path == "/_control/settle":
                for pid, entry in STATE.intents.items():
                    if not doc.get("id") or doc["id"] == pid:
                        self.settle(entry)
                return self.answer(200, {})
            if method == "POST" and self.path == "/_control/release":
                STATE.held.set()
                STATE.held = threading.Event()
                STATE.switches = [m for m in STATE.switches if m["mode"] != "hold"]
                return self.answer(200, {})
            if method == "POST" and self.path == "/_control/reset":
                STATE.reset()
                return self.answer(200, {})
        self.answer(404, {"error": {"type": "invalid_request_error", "message": "no such control"}})


def main():
    global ARGS
    parser = argparse.ArgumentParser(description="A fake of a Stripe-compatible API subset.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--key", default="sk_test_curbside")
    parser.add_argument("--ach-settle-seconds", type=float, default=None)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer((ARGS.host, ARGS.port), Handler)
    server.daemon_threads = True
    # --port 0: the kernel picks one; this line names it (tests read it).
    print("stripe_fake listening on %s:%d" % (ARGS.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
