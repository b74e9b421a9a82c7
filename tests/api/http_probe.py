#!/usr/bin/env python3
"""http_probe.py — drive the server with real sockets, the way a client the HTTP libraries would
never imitate does: raw bytes, slow clients, many connections, and requests stuck on a database
lock. Standard library only. Every wait is bounded; every answer is printed as one JSON document
for the bats file to judge.

  raw PORT REQUEST            send REQUEST (Python escapes: \\r\\n) on one connection; print the
                              answers read until the server closes it (or 5 s of silence)
  slow PORT LINES INTERVAL    send a request's header lines one every INTERVAL seconds; print
                              what came back and after how many lines the server hung up
  slow-body PORT INTERVAL     announce a 64-byte body and send it a byte every INTERVAL seconds
  connections PORT N          open N connections at once, then ask /healthz on each in turn
  quiet PORT N                ask each route that needs no database N times, nothing else running
  pressure PORT PATH N DBURL  hold an exclusive lock on `tenants` ($PSQL, default psql), send N
                              requests for PATH
                              at once, and while they wait ask the routes that need no database;
                              print what each got before the lock went away, then release it
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
# Bounds, not expectations, scaled like every wait of the suite (tests/lib/procs.bash).
SCALE = int(os.environ.get("CURBSIDE_TEST_WAIT_SCALE", "3"))
SILENCE = 2.0 * SCALE
PRESSURE_BOUND = 40.0 * SCALE
PSQL = os.environ.get("PSQL", "psql")
NO_DATABASE_ROUTES = ("/healthz", "/readyz", "/metrics", "/openapi.yaml")


def read_until_closed(sock, silence=SILENCE):
    """Everything the server sends until it closes the connection; closed=False after `silence`
    seconds without a byte."""
    sock.settimeout(silence)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def split_answers(data):
    """The HTTP answers in `data`: status, headers (lower-case names) and body each."""
    answers = []
    while data.startswith(b"HTTP/"):
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        body, data = rest[:length], rest[length:]
        answers.append({"status": int(lines[0].split()[1]), "headers": headers,
                        "body": body.decode("utf-8", "replace")})
    return answers


def raw(port, request):
    payload = request.encode("latin-1").decode("unicode_escape").encode("latin-1")
    with socket.create_connection((HOST, port)) as sock:
        sock.sendall(payload)
        data, closed = read_until_closed(sock)
    return {"answers": split_answers(data), "closed": closed}


def trickle(sock, pieces, interval):
    """Send `pieces` one every `interval` seconds until the server answers or hangs up; how many
    went out."""
    sent = 0
    for piece in pieces:
        try:
            sock.sendall(piece)
        except OSError:
            break
        sent += 1
        sock.settimeout(interval)
        try:
            if sock.recv(1, socket.MSG_PEEK) is not None:
                break
        except socket.timeout:
            pass
    return sent


def slow(port, lines, interval):
    sock = socket.create_connection((HOST, port))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\n")
    sent = trickle(sock, [b"X-Slow-%d: 1\r\n" % n for n in range(lines)], interval)
    data, closed = read_until_closed(sock)
    sock.close()
    return {"lines_sent": sent, "lines": lines, "answers": split_answers(data), "closed": closed}


def slow_body(port, interval):
    sock = socket.create_connection((HOST, port))
    sock.sendall(b"POST /v1/auth/refresh HTTP/1.1\r\nHost: probe\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 64\r\n\r\n")
    sent = trickle(sock, [b" "] * 64, interval)
    data, closed = read_until_closed(sock)
    sock.close()
    return {"bytes_sent": sent, "answers": split_answers(data), "closed": closed}


def connections(port, count):
    socks = [socket.create_connection((HOST, port)) for _ in range(count)]
    results = []
    for sock in socks:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\n\r\n")
            sock.settimeout(SILENCE)
            data = sock.recv(65536)
            results.append(split_answers(data)[0]["status"] if data else "closed")
        except OSError as e:
            results.append("closed" if isinstance(e, (ConnectionResetError, BrokenPipeError))
                           else type(e).__name__)
    for sock in socks:
        sock.close()
    return {"statuses": results}


def get(port, path):
    started = time.monotonic()
    with socket.create_connection((HOST, port)) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n" % path.encode())
        data, _ = read_until_closed(sock, PRESSURE_BOUND)
    answers = split_answers(data)
    answer = answers[0] if answers else {"status": "closed", "headers": {}, "body": ""}
    answer["seconds"] = time.monotonic() - started
    return answer


def lock_tenants(db_url):
    """A psql session holding an exclusive lock on tenants until it is killed."""
    holder = subprocess.Popen([PSQL, "-XAtq", db_url], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    holder.stdin.write("SET application_name = 'http_probe_lock';\n"
                       "BEGIN; LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE;\n"
                       "SELECT 'locked';\n")
    holder.stdin.flush()
    deadline = time.monotonic() + PRESSURE_BOUND
    while time.monotonic() < deadline:
        held = subprocess.run(
            [PSQL, "-XAtq", db_url, "-c",
             "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
             "WHERE a.application_name = 'http_probe_lock' AND l.granted "
             "AND a.datname = current_database() "
             "AND l.relation = 'tenants'::regclass AND l.mode = 'AccessExclusiveLock'"],
            capture_output=True, text=True).stdout.strip()
        if held == "1":
            return holder
        time.sleep(0.05)
    holder.kill()
    raise SystemExit("could not take the lock on tenants")


def pressure(port, path, count, db_url):
    holder = lock_tenants(db_url)
    answers = [None] * count

    def ask(i):
        answers[i] = get(port, path)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    probes = {p: [] for p in NO_DATABASE_ROUTES}
    probe_seconds = {p: [] for p in probes}
    deadline = time.monotonic() + PRESSURE_BOUND
    # While the lock is held, every request beyond the pool must get its answer, and the routes
    # that need no database must keep answering.
    while time.monotonic() < deadline:
        for p in probes:
            answer = get(port, p)
            probes[p].append(answer["status"])
            probe_seconds[p].append(answer["seconds"])
        if sum(a is not None for a in answers) >= count - pool_size(port):
            break
    before_release = [dict(status=a["status"], retry_after=a["headers"].get("retry-after"),
                           seconds=a["seconds"]) for a in answers if a is not None]
    holder.stdin.close()
    holder.kill()
    holder.wait()
    for t in threads:
        t.join(PRESSURE_BOUND)
    after_release = [a["status"] if a else None for a in answers]
    # The seconds are for scripts/bench (speed is its business, not the tests').
    return {"before_release": before_release, "after_release": after_release, "probes": probes,
            "probe_seconds": probe_seconds}


def quiet(port, count):
    """The same routes asked `count` times each with nothing else going on (scripts/bench's
    baseline)."""
    return {"probe_seconds": {p: [get(port, p)["seconds"] for _ in range(count)]
                              for p in NO_DATABASE_ROUTES}}


def pool_size(port):
    metrics = get(port, "/metrics")["body"]
    for line in metrics.splitlines():
        if line.startswith("curbside_db_pool_size "):
            return int(float(line.split()[1]))
    raise SystemExit("no curbside_db_pool_size in /metrics")


def main(argv):
    command, port = argv[1], int(argv[2])
    if command == "raw":
        result = raw(port, argv[3])
    elif command == "slow":
        result = slow(port, int(argv[3]), float(argv[4]))
    elif command == "slow-body":
        result = slow_body(port, float(argv[3]))
    elif command == "connections":
        result = connections(port, int(argv[3]))
    elif command == "quiet":
        result = quiet(port, int(argv[3]))
    elif command == "pressure":
        result = pressure(port, argv[3], int(argv[4]), argv[5])
    else:
        raise SystemExit(__doc__)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv)
