#!/usr/bin/env python3
"""The money invariants: each a name and a query counting the rows that break it.

tests/api/money_random.py checks them after every randomized batch; the cluster's failover test
checks them after a primary stopped in the middle of a payment. Run as a script with a
PostgreSQL URL, it prints each broken invariant with its count and exits 1 when there is one.
"""
import subprocess
import sys

SQL_CHECKS = [
    ("invoice balance = total - paid - credited >= 0 (0 once void)",
     "SELECT count(*) FROM invoices WHERE balance_cents <> CASE WHEN status = 'void' THEN 0"
     " ELSE total_cents - paid_cents - credited_cents END OR balance_cents < 0 OR paid_cents < 0 OR credited_cents < 0"),
    ("invoice status agrees with its money",
     "SELECT count(*) FROM invoices WHERE (status = 'paid' AND balance_cents <> 0)"
     " OR (status = 'open' AND balance_cents = 0)"
     " OR (status = 'void' AND (paid_cents <> 0 OR credited_cents <> 0))"),
    ("invoice paid/credited = its allocations and credit applications",
     "SELECT count(*) FROM invoices i WHERE paid_cents <> (SELECT coalesce(sum(amount_cents -"
     " reversed_cents), 0) FROM payment_allocations a WHERE a.invoice_id = i.id)"
     " OR credited_cents <> (SELECT coalesce(sum(amount_cents - reversed_cents), 0)"
     " FROM credit_applications a WHERE a.invoice_id = i.id)"),
    ("payment allocated + refunded <= amount, totals follow their rows",
     "SELECT count(*) FROM payments p WHERE allocated_cents + refunded_cents > amount_cents"
     " OR allocated_cents <> (SELECT coalesce(sum(amount_cents - reversed_cents), 0)"
     " FROM payment_allocations a WHERE a.payment_id = p.id)"
     " OR refunded_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM refunds r"
     " WHERE r.payment_id = p.id AND r.status <> 'failed')"
     " OR (status = 'failed' AND allocated_cents <> 0)"),
    ("credit remaining >= 0 and = amount - applications",
     "SELECT count(*) FROM credits c WHERE remaining_cents < 0 OR remaining_cents <>"
     " amount_cents - (SELECT coalesce(sum(amount_cents - reversed_cents), 0)"
     " FROM credit_applications a WHERE a.credit_id = c.id)"),
    ("payment_pending is true exactly while a pending payment has money on the invoice",
     "SELECT count(*) FROM invoices i WHERE payment_pending <> EXISTS (SELECT 1"
     " FROM payment_allocations a JOIN payments p ON p.id = a.payment_id WHERE a.invoice_id = i.id"
     " AND p.status = 'pending' AND a.reversed_cents < a.amount_cents)"),
    ("no card payment or refund left pending once requests are answered",
     "SELECT (SELECT count(*) FROM payments WHERE status = 'pending' AND method = 'card'"
     " AND source = 'portal') + (SELECT count(*) FROM refunds WHERE status = 'pending')"),
]


def broken(psql, url):
    """[(name, count)] of the invariants that do not hold in the database at `url`."""
    query = "SELECT " + ", ".join(f"({q})" for _, q in SQL_CHECKS)
    out = subprocess.run([psql, url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", query],
                         check=True, capture_output=True, text=True).stdout.strip()
    return [(name, int(n)) for (name, _), n in zip(SQL_CHECKS, out.split("|")) if int(n)]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: money_invariants.py PSQL URL")
    bad = broken(sys.argv[1], sys.argv[2])
    for name, n in bad:
        print(f"{name}: {n} rows")
    sys.exit(1 if bad else 0)
