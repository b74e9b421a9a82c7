#!/usr/bin/env python3
"""A local OpenID Connect provider for the API tests (standard library only).

    oidc_provider.py --port PORT --client-id ID --client-secret SECRET

Endpoints (issuer = http://127.0.0.1:PORT):
  GET  /.well-known/openid-configuration   discovery
  GET  /authorize?...                      checks the request like a real provider (client id,
                                           response_type, S256 challenge, state, nonce) and "logs
                                           in" at once as the identity in the test-only query
                                           parameters `sub`, `email`, `name`, `email_verified`
                                           (default sub "sub-1", email "person@example.com"),
                                           then redirects (302) to redirect_uri?code=...&state=...
  POST /token                              authorization_code grant: checks client id and secret
                                           (client_secret_post or HTTP Basic), the code (single
                                           use), redirect_uri and the PKCE verifier (S256); answers
                                           an ID token (a JWT signed RS256 with a key made at
                                           start by openssl, published at /jwks)
  GET  /jwks                               the signing key (a JWK Set)
  POST /control                            JSON switches for the next token answers, kept until
                                           reset: {"wrong_nonce": true, "wrong_audience": true,
                                           "expired": true, "unverified_email": true,
                                           "slow_seconds": 3, "hold": true (each token answer
                                           waits until the switches are reset: no clock
                                           involved), "error": "invalid_grant",
                                           "status": 500, "discovery_algs": ["HS256"] (what
                                           discovery advertises)}; {} resets them all and
                                           releases the held answers
  GET  /control                            the switches and the count of token requests
"""

import argparse
import base64
import hashlib
import json
import re
import secrets
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
CODES = {}  # code -> what the authorization request said and who logged in
SWITCHES = {}
HELD = threading.Event()  # set: the held token answers go; a new one replaces it at each hold
STATS = {"token_requests": 0}


KID = "fake-rsa-1"
# DER of the SHA-256 DigestInfo that prefixes the hash in an RSASSA-PKCS1-v1_5 signature.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def new_rsa_key():
    """A fresh 2048-bit RSA key from openssl: {"n", "e", "d"} as integers."""
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                          "rsa_keygen_bits:2048"], check=True, capture_output=True).stdout
    text = subprocess.run(["openssl", "pkey", "-text", "-noout"], input=pem, check=True,
                          capture_output=True).stdout.decode()

    def field(name):
        m = re.search(name + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        return int(re.sub(r"[^0-9a-f]", "", m.group(1)), 16)

    e = int(re.search(r"publicExponent: (\d+)", text).group(1))
    return {"n": field("modulus"), "e": e, "d": field("privateExponent")}


def jwks(key):
    return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
                      "n": b64url(int_bytes(key["n"])), "e": b64url(int_bytes(key["e"]))}]}


def rs256(key, data):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.1)."""
    size = (key["n"].bit_length() + 7) // 8
    t = SHA256_DIGEST_INFO + hashlib.sha256(data).digest()
    em = b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t
    return pow(int.from_bytes(em, "big"), key["d"], key["n"]).to_bytes(size, "big")


def id_token(key, claims):
    head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": KID}).encode())
    body = b64url(json.dumps(claims).encode())
    return f"{head}.{body}.{b64url(rs256(key, f'{head}.{body}'.encode()))}"


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeOIDC/1"

    def log_message(self, fmt, *args):  # keep the log quiet but useful
        print("oidc:", fmt % args, flush=True)

    def send_json(self, status, doc, headers=None):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    @property
    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            with LOCK:
                algs = SWITCHES.get("discovery_algs", ["RS256"])
            self.send_json(200, {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": algs,
                "code_challenge_methods_supported": ["S256"],
            })
        elif url.path == "/jwks":
            self.send_json(200, jwks(self.server.key))
        elif url.path == "/authorize":
            self.authorize(query)
        elif url.path == "/control":
            with LOCK:
                self.send_json(200, {"switches": SWITCHES, **STATS})
        else:
            self.send_json(404, {"error": "not_found"})

    def authorize(self, q):
        a = self.server.args
        problems = []
        if q.get("client_id") != a.client_id:
            problems.append("client_id")
        if q.get("response_type") != "code":
            problems.append("response_type")
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            problems.append("code_challenge")
        for key in ("redirect_uri", "state", "nonce"):
            if not q.get(key):
                problems.append(key)
        if "openid" not in q.get("scope", "").split():
            problems.append("scope")
        if problems:
            self.send_json(400, {"error": "invalid_request", "bad": problems})
            return
        code = secrets.token_urlsafe(24)
        with LOCK:
            CODES[code] = {
                "redirect_uri": q["redirect_uri"],
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "sub": q.get("sub", "sub-1"),
                "email": q.get("email", "person@example.com"),
                "name": q.get("name", "Pat Jordan"),
                "email_verified": q.get("email_verified", "true") == "true",
            }
        sep = "&" if "?" in q["redirect_uri"] else "?"
        target = q["redirect_uri"] + sep + urllib.parse.urlencode({"code": code, "state": q["state"]})
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def client_credentials(self, form):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            raw = base64.b64decode(auth[6:]).decode()
            cid, _, secret = raw.partition(":")
            return urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
        return form.get("client_id"), form.get("client_secret")

    def do_POST(self):
        global HELD
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if self.path == "/control":
            doc = json.loads(raw or "{}")
            with LOCK:
                if not doc:
                    SWITCHES.clear()
                    HELD.set()
                elif doc.get("hold") and HELD.is_set():
                    HELD = threading.Event()
                SWITCHES.update(doc)
                self.send_json(200, {"switches": SWITCHES})
            return
        if self.path != "/token":
            self.send_json(404, {"error": "not_found"})
            return
        form = dict(urllib.parse.parse_qsl(raw))
        with LOCK:
            STATS["token_requests"] += 1
            switches = dict(SWITCHES)
            held = HELD
        if switches.get("hold"):
            held.wait()
        if switches.get("slow_seconds"):
            time.sleep(float(switches["slow_seconds"]))
        if switches.get("status"):
            self.send_json(int(switches["status"]), {"message": "provider trouble"})
            return
        if switches.get("error"):
            self.send_json(400, {"error": switches["error"], "error_description": "switched on"})
            return
        self.token(form, switches)

    def token(self, form, switches):
        a = self.server.args
        cid, secret = self.client_credentials(form)
        if cid != a.client_id or secret != a.client_secret:
            self.send_json(401, {"error": "invalid_client"})
            return
        if form.get("grant_type") != "authorization_code":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        with LOCK:
            grant = CODES.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri") or \
                b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            self.send_json(400, {"error": "invalid_grant"})
            return
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": "someone-else" if switches.get("wrong_audience") else a.client_id,
            "azp": a.client_id,
            "sub": grant["sub"],
            "email": grant["email"],
            "email_verified": grant["email_verified"] and not switches.get("unverified_email"),
            "name": grant["name"],
            "nonce": "not-your-nonce" if switches.get("wrong_nonce") else grant["nonce"],
            "iat": now - 7200 if switches.get("expired") else now,
            "exp": now - 3600 if switches.get("expired") else now + 3600,
        }
        self.send_json(200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 3600,
            "id_token": id_token(self.server.key, claims),
        }, {"Cache-Control": "no-store"})


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.args = args
    server.key = new_rsa_key()
    print(f"oidc: listening on http://127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
