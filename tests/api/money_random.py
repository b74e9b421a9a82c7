#!/usr/bin/env python3
"""Seeded, randomized, concurrent use of the money endpoints, with invariants checked after each
batch (tests/api/money_random.bats runs it against its own stack).

Two tenants, a few customers each with a portal user; then batches of operations of every money
kind (portal payments with saved cards, new cards kept or not, declined cards, partial payments
and bursts of them on one invoice, payment methods added and removed, autopay switched on and off
while its scheduler charges, offline payments, refunds, credits created and applied, invoices
sent and voided), many at once and aimed at a few "hot" customers so that they collide. After
each batch, once nothing is in flight, the money is checked in SQL (balances, statuses,
allocation and refund totals, credits, payment_pending flags) and over the API (the dashboard and
the statement of every customer against SQL); every answer must be one the contract allows, and
never a 5xx.

Environment: PRISM_URL (the validating proxy), STACK_DB_URL, PSQL, CLOCK_FILE (the server's
autopay clock), CURBSIDE_OPERATOR_TOKEN, TEST_PASSWORD; MONEY_SEED replays a run (default: a
fresh seed, printed first); MONEY_BATCHES (default 6) bounds the work. The number of operations
is fixed by the seed and the batch count, never by a timer.

Prints `seed=<n>` first and `operations=<n> requests=<n> checks=<n> failures=<n>` last; exits 1
when anything failed (each failure is printed with how to replay it).
"""

import concurrent.futures
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from money_invariants import SQL_CHECKS  # noqa: E402

PRISM = os.environ["PRISM_URL"]
DB = os.environ["STACK_DB_URL"]
PSQL = os.environ.get("PSQL", "psql")
CLOCK_FILE = os.environ["CLOCK_FILE"]
OPERATOR = os.environ["CURBSIDE_OPERATOR_TOKEN"]
PASSWORD = os.environ["TEST_PASSWORD"]
SEED = int(os.environ.get("MONEY_SEED") or random.SystemRandom().randrange(1, 2**31))
BATCHES = int(os.environ.get("MONEY_BATCHES", "6"))
WORKERS = 8
CUSTOMERS_PER_TENANT = 3
# Waits for the server's background work (autopay runs, settlements) after a batch: generous
# bounds, not timings: a batch normally settles in well under a second. Scaled like every wait
# of the tests (CURBSIDE_TEST_WAIT_SCALE, tests/lib/procs.bash).
WAIT_SCALE = int(os.environ.get("CURBSIDE_TEST_WAIT_SCALE") or 1)
QUIET_WAIT_SECONDS = 60 * WAIT_SCALE
STARTED = time.monotonic()

rng = random.Random(SEED)
lock = threading.Lock()
stats = {"operations": 0, "requests": 0, "checks": 0, "failures": 0}
failures = []


def fail(what):
    with lock:
        stats["failures"] += 1
        failures.append(what)
    print(f"FAIL (MONEY_SEED={SEED}): {what}", flush=True)


def check(ok, what):
    with lock:
        stats["checks"] += 1
    if not ok:
        fail(what)
    return ok


# ---- HTTP --------------------------------------------------------------------------------------

def request(method, path, token=None, body=None, key=None):
    """One request through the proxy: (status, parsed body or None, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(PRISM + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if key:
        req.add_header("Idempotency-Key", key)
    with lock:
        stats["requests"] += 1
    try:
        with urllib.request.urlopen(req, timeout=60 * WAIT_SCALE) as resp:
            status, raw, headers = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        status, raw, headers = e.code, e.read(), e.headers
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = None
    violations = headers.get("sl-violations")
    if violations:
        fail(f"{method} {path}: the proxy reports contract violations: {violations}")
    if isinstance(doc, dict) and str(doc.get("type", "")).startswith("https://stoplight.io"):
        fail(f"{method} {path}: the proxy answered itself: {raw[:300]!r}")
    return status, doc, headers


def expect(what, status, doc, allowed):
    """A money answer must be one of `allowed` (status or (status, code)); never a 5xx."""
    code = doc.get("code") if isinstance(doc, dict) else None
    ok = status in allowed or (status, code) in allowed
    check(ok and status < 500, f"{what}: answered {status} {code} "
          f"({(doc or {}).get('detail') if isinstance(doc, dict) else doc})")
    return ok


def must(what, status, doc, want):
    if status != want:
        raise RuntimeError(f"setup: {what} answered {status}: {doc}")
    return doc


# ---- SQL ---------------------------------------------------------------------------------------

def sql(query):
    out = subprocess.run([PSQL, DB, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def pick(r, query):
    """One row of the query's first column, chosen by the seeded `r` (None when there is none)."""
    rows = sorted(x for x in sql(query + " ORDER BY 1").splitlines() if x)
    return r.choice(rows) if rows else None


def sql_json(query):
    text = sql(query)
    return json.loads(text) if text else None


# ---- The world ---------------------------------------------------------------------------------

class Customer:
    def __init__(self, tenant, cid, token):
        self.tenant, self.id, self.token = tenant, cid, token
        self.methods = []  # saved method ids (some may be removed since)


class Tenant:
    def __init__(self, slug, tid, staff):
        self.slug, self.id, self.staff = slug, tid, staff
        self.customers = []


def new_tenant(n):
    slug = f"money{n}-{SEED % 100000}-{rng.randrange(10**6)}"
    doc = must("tenant", *request("POST", "/v1/platform/tenants", OPERATOR,
                                  {"slug": slug, "name": f"Hauler {slug}"})[:2], 201)
    tid = doc["id"]
    must("portal on", *request("PATCH", f"/v1/platform/tenants/{slug}", OPERATOR,
                               {"portal_enabled": True})[:2], 200)
    email = f"admin@{slug}.example.test"
    must("staff", *request("POST", f"/v1/platform/tenants/{slug}/staff", OPERATOR,
                           {"email": email, "full_name": "Staff", "password": PASSWORD,
                            "role": "admin"})[:2], 201)
    doc = must("staff login", *request("POST", f"/v1/tenants/{slug}/staff/login", None,
                                       {"email": email, "password": PASSWORD})[:2], 200)
    return Tenant(slug, tid, doc["access_token"])


def new_customer(t, n, r):
    number = f"A{n}-{r.randrange(10**6)}"
    doc = must("customer", *request("POST", "/v1/admin/customers", t.staff,
                                    {"account_number": number, "name": f"Customer {number}",
                                     "kind": "residential"})[:2], 201)
    cid = doc["id"]
    email = f"pat.{number.lower()}@{t.slug}.example.test"
    doc = must("invite", *request("POST", f"/v1/admin/customers/{cid}/invitations", t.staff,
                                  {"first_name": "Pat", "email": email})[:2], 201)
    link = doc["url"].rstrip("/").split("/")[-1]
    doc = must("accept", *request("POST", f"/v1/invitations/{link}/accept", None,
                                  {"email": email, "full_name": "Pat Jordan",
                                   "password": PASSWORD})[:2], 200)
    return Customer(t, cid, doc["access_token"])


_today = {}


def today(t):
    """The hauler's today (asked once: a run lasts well under a day)."""
    if t.id not in _today:
        _today[t.id] = datetime.date.fromisoformat(sql(f"SELECT tenant_today('{t.id}')"))
    return _today[t.id]


def new_invoice(c, r):
    """Create and send an invoice of 1 to 3 lines, due between 5 days ago and 5 days ahead."""
    d0 = today(c.tenant)
    due = d0 + datetime.timedelta(days=r.randint(-5, 5))
    lines = [{"description": "Pickup", "unit_price_cents": r.randint(500, 30000)}
             for _ in range(r.randint(1, 3))]
    status, doc, _ = request("POST", f"/v1/admin/customers/{c.id}/invoices", c.tenant.staff,
                             {"number": f"INV-{uuid.uuid4().hex[:12]}",
                              "invoice_date": str(min(d0, due - datetime.timedelta(days=10))),
                              "due_date": str(due), "lines": lines})
    if not expect("create invoice", status, doc, {201}):
        return
    status, doc, _ = request("POST", f"/v1/admin/invoices/{doc['id']}/send", c.tenant.staff)
    expect("send invoice", status, doc, {200})


def setup(pool):
    tenants = [new_tenant(n) for n in range(2)]
    for t in tenants:
        seeds = [rng.random() for _ in range(CUSTOMERS_PER_TENANT)]
        t.customers = list(pool.map(lambda n: new_customer(t, n, random.Random(seeds[n])),
                                    range(CUSTOMERS_PER_TENANT)))
    everyone = [c for t in tenants for c in t.customers]
    seeds = [rng.random() for _ in everyone]
    list(pool.map(lambda i: first_money(everyone[i], random.Random(seeds[i])),
                  range(len(everyone))))
    return tenants


def first_money(c, r):
    """Three invoices and a saved card, so bursts and autopay have something to use."""
    for _ in range(3):
        new_invoice(c, r)
    op_add_method(c, r)


# ---- Operations --------------------------------------------------------------------------------
# Each takes (customer, its own Random) and checks its answer. Business refusals that a race can
# cause are allowed answers; anything else (a 5xx above all) is a failure.

PAY_REFUSALS = {(422, "nothing_to_pay"), (422, "amount_exceeds_balance"),
                (422, "invoice_not_payable"), (422, "invalid_reference")}


def open_invoices(c):
    return sql_json(f"SELECT json_agg(json_build_object('id', id, 'balance', balance_cents) "
                    f"ORDER BY id) FROM invoices WHERE customer_id = '{c.id}' AND status = 'open'") or []


def pay_target(c, r, body):
    """Whole balance, chosen invoices, or a partial amount."""
    inv = open_invoices(c)
    mode = r.random()
    if inv and mode < 0.35:
        chosen = r.sample(inv, r.randint(1, len(inv)))
        body["invoice_ids"] = [i["id"] for i in chosen]
        if r.random() < 0.5:
            body["amount_cents"] = r.randint(1, max(1, sum(i["balance"] for i in chosen)))
    elif inv and mode < 0.7:
        body["amount_cents"] = r.randint(1, max(1, sum(i["balance"] for i in inv) // 2))
    return body


def pay(c, body, what, extra=frozenset()):
    status, doc, _ = request("POST", "/v1/portal/payments", c.token, body, str(uuid.uuid4()))
    expect(what, status, doc, {201} | PAY_REFUSALS | extra)
    return status, doc


def op_pay_saved(c, r):
    if not c.methods:
        return op_add_method(c, r)
    pay(c, pay_target(c, r, {"payment_method_id": r.choice(c.methods)}), "pay with a saved card")


def op_pay_new_card(c, r):
    save = r.random() < 0.6
    status, doc = pay(c, pay_target(c, r, {"payment_token": r.choice(["tok_visa", "tok_mastercard"]),
                                           "save": save}), "pay with a new card")
    if save and status == 201:
        mid = sql(f"SELECT payment_method_id FROM payments WHERE id = '{doc['id']}'")
        if mid:
            with lock:
                c.methods.append(mid)


def op_pay_declined(c, r):
    pay(c, pay_target(c, r, {"payment_token": "tok_chargeDeclined", "save": False}),
        "pay with a declined card", {(402, "payment_declined")})


def op_add_method(c, r):
    status, doc, _ = request("POST", "/v1/portal/payment-methods", c.token,
                             {"payment_token": r.choice(["tok_visa", "tok_amex"]),
                              "default": r.random() < 0.3})
    if expect("add a payment method", status, doc, {201}):
        with lock:
            c.methods.append(doc["id"])


def op_remove_method(c, r):
    if len(c.methods) < 2:
        return op_add_method(c, r)
    mid = r.choice(c.methods)
    status, doc, _ = request("DELETE", f"/v1/portal/payment-methods/{mid}", c.token)
    expect("remove a payment method", status, doc,
           {204, 404, (409, "payment_method_in_use_by_autopay")})
    if status in (204, 404):
        with lock:
            if mid in c.methods:
                c.methods.remove(mid)


def op_autopay(c, r):
    if not c.methods or r.random() < 0.3:
        body = {"enabled": False}
    else:
        body = {"enabled": True, "payment_method_id": r.choice(c.methods)}
    status, doc, _ = request("PUT", "/v1/portal/autopay", c.token, body)
    expect("switch autopay", status, doc, {200, (422, "invalid_reference")})


def op_offline_payment(c, r):
    body = {"customer_id": c.id, "amount_cents": r.randint(100, 20000),
            "method": r.choice(["check", "cash", "other"])}
    inv = open_invoices(c)
    if inv and r.random() < 0.4:
        i = r.choice(inv)
        body["allocations"] = [{"invoice_id": i["id"], "amount_cents": r.randint(1, i["balance"])}]
        body["amount_cents"] = max(body["amount_cents"], body["allocations"][0]["amount_cents"])
    status, doc, _ = request("POST", "/v1/admin/payments", c.tenant.staff, body, str(uuid.uuid4()))
    expect("record an offline payment", status, doc,
           {201, (422, "amount_exceeds_balance"), (422, "invoice_not_open")})


def op_refund(c, r):
    pid = pick(r, f"SELECT id FROM payments WHERE customer_id = '{c.id}' AND status = 'succeeded'")
    if not pid:
        return op_offline_payment(c, r)
    body = {} if r.random() < 0.3 else {"amount_cents": r.randint(1, 5000)}
    status, doc, _ = request("POST", f"/v1/admin/payments/{pid}/refund", c.tenant.staff, body,
                             str(uuid.uuid4()))
    expect("refund", status, doc, {201, (422, "amount_exceeds_refundable"),
                                   (409, "payment_not_refundable")})


def op_credit(c, r):
    status, doc, _ = request("POST", f"/v1/admin/customers/{c.id}/credits", c.tenant.staff,
                             {"reason": "Missed pickup", "amount_cents": r.randint(100, 8000)})
    if not expect("create a credit", status, doc, {201}):
        return
    inv = open_invoices(c)
    if not inv:
        return
    body = {"invoice_id": r.choice(inv)["id"]}
    status, doc, _ = request("POST", f"/v1/admin/credits/{doc['id']}/apply", c.tenant.staff, body)
    expect("apply a credit", status, doc, {200, 201, (422, "invoice_not_open"),
                                           (422, "amount_exceeds_balance")})


def op_void(c, r):
    iid = pick(r, f"SELECT id FROM invoices WHERE customer_id = '{c.id}' AND status = 'open'")
    if not iid:
        return new_invoice(c, r)
    status, doc, _ = request("POST", f"/v1/admin/invoices/{iid}/void", c.tenant.staff,
                             {"reason": "Billed twice"})
    expect("void an invoice", status, doc, {200, (409, "invoice_has_payments"),
                                            (409, "invoice_already_void")})


def op_invoice(c, r):
    new_invoice(c, r)


OPERATIONS = [(op_pay_saved, 6), (op_pay_new_card, 4), (op_pay_declined, 1), (op_add_method, 2),
              (op_remove_method, 1), (op_autopay, 2), (op_offline_payment, 2), (op_refund, 3),
              (op_credit, 2), (op_void, 1), (op_invoice, 3)]


def burst(c, r):
    """Payments of one customer released at the same instant: partial payments on one invoice
    (two settlements meeting: the payment_pending race) and payments saving a new card among
    them (the reserve deadlock). Answers [(customer, body, what)], built before the batch."""
    inv = open_invoices(c)
    if not c.methods or not inv:
        return []
    target = max(inv, key=lambda i: i["balance"])
    items = []
    for _ in range(r.randint(6, 10)):
        items.append((c, {"payment_method_id": r.choice(c.methods), "invoice_ids": [target["id"]],
                          "amount_cents": r.randint(1, max(1, target["balance"] // 20))},
                      "partial payment in a burst"))
    for _ in range(r.randint(3, 5)):
        items.append((c, {"payment_token": "tok_visa", "save": True,
                          "amount_cents": r.randint(1, 500)}, "pay saving a card in a burst"))
    r.shuffle(items)
    return items


def fire(items, batch):
    """Send the burst's payments together: every thread waits at a barrier, then all go."""
    if not items:
        return []
    barrier = threading.Barrier(len(items))

    def one(item):
        barrier.wait(timeout=QUIET_WAIT_SECONDS)
        pay(*item)

    pool = concurrent.futures.ThreadPoolExecutor(len(items))
    futures = [pool.submit(one, item) for item in items]
    pool.shutdown(wait=False)
    return futures


# ---- The autopay clock -------------------------------------------------------------------------

clock = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def advance_clock():
    """One day later for the autopay scheduler: what fell due is charged, concurrently."""
    global clock
    clock += datetime.timedelta(days=1)
    with open(CLOCK_FILE, "w") as f:
        f.write(clock.strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")


# ---- Invariants --------------------------------------------------------------------------------

# SQL_CHECKS: tests/lib/money_invariants.py (the failover test checks the same).


def autopay_due():
    """(autopay charges due by the clock, payments pending)."""
    now = clock.strftime("%Y-%m-%dT%H:%M:%SZ")
    due, pending = sql(
        "SELECT (SELECT count(*) FROM payments WHERE status = 'pending'),"
        " count(*) FROM customers c JOIN tenants t ON t.id = c.tenant_id"
        " JOIN payment_methods m ON m.id = c.autopay_payment_method_id AND m.removed_at IS NULL"
        " JOIN invoices i ON i.tenant_id = c.tenant_id AND i.customer_id = c.id"
        f" WHERE c.autopay_enabled AND (c.autopay_retry_at IS NULL OR c.autopay_retry_at <= '{now}')"
        f" AND autopay_chargeable(i) AND autopay_charge_at(i, c, t.time_zone) <= '{now}'"
    ).split("|")[::-1]
    return int(due), int(pending)


def wait_quiet(batch):
    """Until the scheduler has charged what is due and nothing is pending (bounded)."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    while True:
        due, pending = autopay_due()
        if due == 0 and pending == 0:
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(False, f"batch {batch}: still {due} autopay charges due and {pending} "
          f"payments pending after {QUIET_WAIT_SECONDS} s")
    return False


def api_checks(tenants, batch, pool):
    list(pool.map(lambda c: customer_checks(c, batch), [c for t in tenants for c in t.customers]))


def customer_checks(c, batch):
    """The customer's dashboard and statement against SQL."""
    t = c.tenant
    start = today(t) - datetime.timedelta(days=60)
    end = today(t) + datetime.timedelta(days=60)
    want = sql_json(
        "SELECT json_build_object("
        f"'open', (SELECT count(*) FROM invoices WHERE customer_id = '{c.id}' AND status = 'open'),"
        f"'owed', (SELECT coalesce(sum(balance_cents), 0) FROM invoices WHERE customer_id = '{c.id}' AND status = 'open'),"
        f"'credit', (SELECT coalesce(sum(remaining_cents), 0) FROM credits WHERE customer_id = '{c.id}'),"
        f"'closing', (SELECT coalesce(sum(total_cents), 0) FROM invoices WHERE customer_id = '{c.id}' AND status IN ('open', 'paid'))"
        f" - (SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE customer_id = '{c.id}' AND status <> 'failed')"
        f" + (SELECT coalesce(sum(amount_cents), 0) FROM refunds WHERE customer_id = '{c.id}' AND status <> 'failed')"
        f" - (SELECT coalesce(sum(amount_cents), 0) FROM credits WHERE customer_id = '{c.id}'),"
        f"'unapplied', (SELECT coalesce(sum(amount_cents - allocated_cents - refunded_cents), 0) FROM payments WHERE customer_id = '{c.id}' AND status <> 'failed'))")
    status, dash, _ = request("GET", "/v1/portal/dashboard", c.token)
    # Available credit is unused credit and unapplied payment money; net = outstanding − available.
    available = want["credit"] + want["unapplied"]
    check(status == 200 and dash["open_invoice_count"] == want["open"]
          and dash["outstanding_balance_cents"] == want["owed"]
          and dash["available_credit_cents"] == available
          and dash["net_balance_cents"] == want["closing"],
          f"batch {batch}: dashboard of {c.id} {dash} disagrees with SQL {want}")
    check(want["closing"] == want["owed"] - available,
          f"batch {batch}: SQL money of {c.id} does not add up: {want}")
    status, st, _ = request("GET", f"/v1/portal/statement?from={start}&to={end}", c.token)
    same = ("outstanding_balance_cents", "available_credit_cents", "net_balance_cents")
    check(status == 200 and st["closing_balance_cents"] == want["closing"]
          and st["opening_balance_cents"] == 0
          and all(st.get(k) == dash.get(k) for k in same),
          f"batch {batch}: statement of {c.id} (closing "
          f"{(st or {}).get('closing_balance_cents')}) disagrees with SQL {want} or the dashboard")


def checks(tenants, batch, pool):
    wait_quiet(batch)
    # One statement, one snapshot: the checks see the same state.
    counts = sql("SELECT " + ", ".join(f"({q})" for _, q in SQL_CHECKS)).split("|")
    for (name, _), n in zip(SQL_CHECKS, counts):
        check(int(n) == 0, f"batch {batch}: {name}: {n} rows break it")
    api_checks(tenants, batch, pool)


# ---- The run -----------------------------------------------------------------------------------

def run_batch(tenants, batch, pool):
    everyone = [c for t in tenants for c in t.customers]
    hot = rng.sample(everyone, 2)
    jobs = []
    for _ in range(rng.randint(14, 22)):
        c = rng.choice(hot) if rng.random() < 0.7 else rng.choice(everyone)
        op = rng.choices([o for o, _ in OPERATIONS], [w for _, w in OPERATIONS])[0]
        jobs.append(lambda o=op, cc=c, s=rng.random(): o(cc, random.Random(s)))
    items = []
    for c in hot:
        items += burst(c, random.Random(rng.random()))
    rng.shuffle(jobs)
    with lock:
        stats["operations"] += len(jobs) + len(items) + 1
    advance_clock()
    futures = [pool.submit(j) for j in jobs] + fire(items, batch)
    for f in concurrent.futures.as_completed(futures):
        try:
            f.result()
        except Exception as e:  # a crash of the driver is a failure too
            fail(f"batch {batch}: an operation raised {e!r}")
    checks(tenants, batch, pool)
    print(f"batch {batch}: {len(jobs) + len(items) + 1} operations, {time.monotonic() - STARTED:.0f} s", flush=True)


def main():
    print(f"seed={SEED} batches={BATCHES} (replay: MONEY_SEED={SEED})", flush=True)
    advance_clock()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        tenants = setup(pool)
        for batch in range(1, BATCHES + 1):
            run_batch(tenants, batch, pool)
    s = stats
    print(f"operations={s['operations']} requests={s['requests']} checks={s['checks']} "
          f"failures={s['failures']} seconds={time.monotonic() - STARTED:.0f}", flush=True)
    return 1 if s["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
