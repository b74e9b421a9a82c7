#include "portal_account/portal_dashboard.h"

#include "db/query.h"

/* The tenant's today, computed once per statement. */
#define SQL_TODAY "(SELECT tenant_today($1))"

/*
 * Rule 12. Open invoices are sent and owe something, so their count and balances are the
 * figures; pending invoices are only counted apart (pending_invoice_count, when shown). Both
 * come from invoices_portal_unsettled_idx alone (an index-only scan). The three balance figures
 * carry the statement's names (issue 17): available credit is unused credit and unapplied
 * payment money (account_available_credit_cents), net balance the outstanding balance less it;
 * outstanding_cents is the outstanding balance under its first, deprecated name. Open service
 * requests (new, accepted or scheduled) are counted with the three most recent (issue 25, item 5).
 */
static struct db_stmt dashboard_stmt = DB_STMT(
        "portal_dashboard",
        "SELECT json_build_object('as_of', x.today, 'open_invoice_count', o.n, "
        "'outstanding_balance_cents', o.outstanding, 'available_credit_cents', a.credit, "
        "'net_balance_cents', o.outstanding - a.credit, 'outstanding_cents', o.outstanding, "
        "'overdue_cents', o.overdue, 'past_due', o.overdue > 0, "
        "'pending_invoice_count', CASE WHEN x.show_pending THEN (SELECT count(*) FROM invoices "
        "p WHERE p.tenant_id = $1 AND p.customer_id = $2 AND p.status = 'pending') ELSE 0 END, "
        "'autopay', portal_autopay_json(c), 'tabs', portal_tabs(c), "
        "'open_service_requests', portal_open_service_requests_json($1::uuid, $2::uuid))::text "
        "FROM customers c "
        "CROSS JOIN (SELECT tenant_today(t.id) AS "
        "today, t.show_pending_invoices AS show_pending FROM tenants t WHERE t.id = $1) x "
        "CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(i.balance_cents), 0)::bigint "
        "AS outstanding, coalesce(sum(i.balance_cents) FILTER (WHERE i.due_date < " SQL_TODAY
        "), 0)::bigint AS overdue FROM invoices i WHERE i.tenant_id = $1 AND i.customer_id = $2 "
        "AND i.status = 'open') o CROSS JOIN account_available_credit_cents($1::uuid, $2::uuid) "
        "a(credit) "
        "WHERE c.tenant_id = $1 AND c.id = $2");

int portal_dashboard_read(char **out, struct db_pool *db, const char *tenant_id,
                          const char *customer_id)
{
	const char *params[] = {tenant_id, customer_id};

	return db_query_found(out, db, &dashboard_stmt, DB_PARAMS(params), "account");
}
