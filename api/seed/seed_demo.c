#include "seed/seed_demo.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "core/strbuf.h"
#include "db/sql_params.h"
#include "embedded.h"

/* Any fixed number other than the migrations' lock: two seed-demo runs load the demo once. */
#define SEED_LOCK_KEY "7262354"

static const char staff_sql[] =
        "INSERT INTO staff_users (tenant_id, email, full_name, role, password_hash) "
        "SELECT id, $2, 'Demo Admin', 'admin', $3 FROM tenants WHERE slug = $1";

/* The demo portal user, linked to the two customers that share its email (DH-0012, DH-0014). */
static const char portal_user_sql[] =
        "WITH accounts AS (UPDATE customers c SET portal_login_email = $2 FROM tenants t "
        "WHERE t.slug = $1 AND c.tenant_id = t.id AND c.account_number IN ('DH-0012', 'DH-0014') "
        "RETURNING c.tenant_id, c.id) "
        "SELECT portal_user_link(tenant_id, $2, 'Lakeshore Rentals', $3, id, 'invitation') "
        "FROM accounts";

/*
 * The demo portal user's service requests (issue 25), made as the portal makes them on the first
 * date each type allows now: an extra pickup, a vacation hold and a missed-pickup report (then
 * cancelled) for DH-0014, a roll-off delivery for DH-0012.
 */
static const char requests_sql[] =
        "WITH who AS (SELECT t.id AS tenant, u.id AS usr, now() AT TIME ZONE t.time_zone AS "
        "local, c AS cat FROM tenants t JOIN portal_users u ON u.tenant_id = t.id AND u.email = "
        "$2 JOIN service_catalogs c ON c.tenant_id = t.id WHERE t.slug = $1), "
        "made AS (SELECT x.cancel, w.tenant, w.usr, c.id AS customer, "
        "portal_service_request_create(w.tenant, c.id, w.usr, jsonb_strip_nulls("
        "jsonb_build_object('type', x.type, 'location_id', l.id, 'date', f.first, 'end_date', "
        "CASE WHEN x.type = 'vacation_hold' THEN f.first + 13 END, 'service_id', CASE WHEN "
        "x.type <> 'roll_off_delivery' THEN l.service END, 'size', CASE WHEN x.type = "
        "'roll_off_delivery' THEN '20yd' END, 'note', x.note)), now(), 10, NULL)::json AS body "
        "FROM who w CROSS JOIN (VALUES (1, 'DH-0014', 'extra_pickup', 'A party on Saturday: "
        "two extra bags beside the cart.', false), (2, 'DH-0014', 'vacation_hold', 'Away for "
        "two weeks.', false), (3, 'DH-0012', 'roll_off_delivery', 'Kitchen remodel: on the "
        "driveway, left side please.', false), (4, 'DH-0014', 'missed_pickup', 'The cart was "
        "out by 6 AM but was not emptied.', true)) AS x(k, account, type, note, cancel) "
        "JOIN customers c ON c.tenant_id = w.tenant AND c.account_number = x.account "
        "CROSS JOIN LATERAL (SELECT l.id, (SELECT s.id FROM services s WHERE s.location_id = "
        "l.id AND s.active ORDER BY s.created_at, s.id LIMIT 1) AS service FROM locations l "
        "WHERE l.tenant_id = w.tenant AND l.customer_id = c.id AND l.active ORDER BY "
        "l.created_at, l.id LIMIT 1) l "
        "CROSS JOIN LATERAL (SELECT service_first_date(w.cat, t, w.local) AS first FROM "
        "service_request_types t WHERE t.tenant_id = w.tenant AND t.type = x.type) f) "
        "SELECT count(*) FILTER (WHERE cancel AND portal_service_request_cancel(tenant, "
        "customer, usr, (body->>'id')::uuid) IS NOT NULL) FROM made";

/*
 * The demo admin works the queue (issue 25, item 3) as staff do: accepts the roll-off delivery
 * (its order and a line on a draft invoice) and the extra pickup, then schedules the pickup for
 * the day asked; the vacation hold stays new and the missed-pickup report cancelled.
 */
static const char staff_requests_sql[] =
        "WITH w AS (SELECT t.id AS tenant, s.id AS staff FROM tenants t JOIN staff_users s ON "
        "s.tenant_id = t.id AND s.email = $2 WHERE t.slug = $1), "
        "accepted AS (SELECT w.tenant, w.staff, admin_service_request_act(w.tenant, r.id, "
        "'accept', 'staff', w.staff, '{}', now())::json AS body FROM w JOIN service_requests r "
        "ON r.tenant_id = w.tenant AND r.status = 'new' AND r.type IN ('roll_off_delivery', "
        "'extra_pickup')) "
        "SELECT count(admin_service_request_act(a.tenant, (a.body->>'id')::uuid, 'schedule', "
        "'staff', a.staff, jsonb_build_object('date', a.body->>'date'), now())) FROM accepted a "
        "WHERE a.body->>'type' = 'extra_pickup'";

/* The demo's requests are history, not news: like its invoices (sent without a pay link), they
 * email nobody. The trigger queued their emails in this transaction; they go before the commit. */
static const char requests_mail_sql[] =
        "DELETE FROM outbox o USING tenants t WHERE t.slug = $1 AND o.tenant_id = t.id AND "
        "o.template LIKE 'service\\_request\\_%'";

static const char summary_sql[] =
        "SELECT format('\"%s\" (tenant %s): %s customers, %s locations, %s services, %s orders, "
        "%s invoices, %s credits, %s payments, %s refunds', t.name, t.slug, "
        "(SELECT count(*) FROM customers WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM locations WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM services WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM orders WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM invoices WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM credits WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM payments WHERE tenant_id = t.id), "
        "(SELECT count(*) FROM refunds WHERE tenant_id = t.id)) FROM tenants t WHERE t.slug = $1";

/* Runs `sql` (parameters optional); on failure says what failed on `err`. `*res` (may be NULL)
 * receives the result on success, for the caller to PQclear. */
static bool run(PGresult **res, PGconn *pg, const char *sql, const char *const *params, int nparams,
                FILE *err, const char *what)
{
	PGresult *r = nparams ? PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0)
	                      : PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(err, "seed-demo: %s failed: %s", what, PQresultErrorMessage(r));
	if (ok && res)
		*res = r;
	else
		PQclear(r);
	return ok;
}

static const struct embedded_file *seed_script(const char *name)
{
	for (size_t i = 0; i < embedded_seed_count; i++)
		if (strcmp(embedded_seed[i].name, name) == 0)
			return &embedded_seed[i];
	return NULL;
}

/* "{0001_tenants,0002_staff,...}": the migrations this binary carries, as a text[] literal (the
 * caller frees it), or NULL when out of memory. */
static char *migration_versions(void)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_append(&b, "{", 1);
	for (size_t i = 0; i < embedded_migrations_count; i++) {
		const char *name = embedded_migrations[i].name;
		size_t len = strlen(name);

		if (i > 0)
			strbuf_append(&b, ",", 1);
		strbuf_append(&b, name, len > 4 ? len - 4 : len); /* without ".sql" */
	}
	strbuf_append(&b, "}", 1);
	return strbuf_detach(&b, NULL);
}

/* The demo refers to tables and functions of every migration: refuse a database without them. */
static int check_schema(PGconn *pg, FILE *err)
{
	char *versions = migration_versions();
	PGresult *res = NULL;
	long applied = 0;

	if (!versions)
		return CS_ENOMEM;
	if (!run(&res, pg, "SELECT to_regclass('schema_migrations') IS NOT NULL", DB_NO_PARAMS, err,
	         "reading the schema version")) {
		free(versions);
		return CS_EDB;
	}
	bool has_table = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	const char *params[] = {versions};
	if (has_table &&
	    run(&res, pg, "SELECT count(*) FROM schema_migrations WHERE version = ANY($1::text[])",
	        DB_PARAMS(params), err, "reading the schema version")) {
		applied = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	free(versions);
	if (applied == (long)embedded_migrations_count)
		return CS_OK;
	fprintf(err,
	        "seed-demo: the database schema is missing or out of date (%ld of %zu migrations "
	        "applied): run `curbside migrate` first, or `curbside seed-demo --migrate`\n",
	        applied, embedded_migrations_count);
	return CS_ECONFLICT;
}

static void print_login(FILE *out)
{
	fprintf(out, "seed-demo: staff login: tenant " SEED_DEMO_SLUG ", email " SEED_DEMO_EMAIL
	             ", password " SEED_DEMO_PASSWORD "\n");
	fprintf(out,
	        "seed-demo: portal login: tenant " SEED_DEMO_SLUG ", email " SEED_DEMO_PORTAL_EMAIL
	        ", password " SEED_DEMO_PORTAL_PASSWORD "\n");
}

/* The two demo passwords, hashed before the transaction starts. */
struct demo_hashes {
	char staff[PASSWORD_HASH_SIZE];
	char portal[PASSWORD_HASH_SIZE];
};

/* Inside the transaction: the script, then the staff admin, then a one-line summary. */
static int load(PGconn *pg, const struct demo_hashes *hashes, FILE *out, FILE *err)
{
	const struct embedded_file *script = seed_script("demo.sql");
	const char *staff[] = {SEED_DEMO_SLUG, SEED_DEMO_EMAIL, hashes->staff};
	const char *portal[] = {SEED_DEMO_SLUG, SEED_DEMO_PORTAL_EMAIL, hashes->portal};
	const char *portal_requests[] = {SEED_DEMO_SLUG, SEED_DEMO_PORTAL_EMAIL};
	const char *staff_requests[] = {SEED_DEMO_SLUG, SEED_DEMO_EMAIL};
	const char *slug[] = {SEED_DEMO_SLUG};
	PGresult *res = NULL;

	if (!script) {
		fprintf(err, "seed-demo: demo.sql is not compiled in\n");
		return CS_EINTERNAL;
	}
	if (!run(NULL, pg, script->data, DB_NO_PARAMS, err, "db/seed/demo.sql") ||
	    !run(NULL, pg, staff_sql, DB_PARAMS(staff), err, "creating the staff admin") ||
	    !run(NULL, pg, portal_user_sql, DB_PARAMS(portal), err, "creating the portal user") ||
	    !run(NULL, pg, requests_sql, DB_PARAMS(portal_requests), err,
	         "making the service requests") ||
	    !run(NULL, pg, staff_requests_sql, DB_PARAMS(staff_requests), err,
	         "working the service requests") ||
	    !run(NULL, pg, requests_mail_sql, DB_PARAMS(slug), err,
	         "dropping the service requests' emails") ||
	    !run(&res, pg, summary_sql, DB_PARAMS(slug), err, "counting what was loaded"))
		return CS_EDB;
	if (!run(NULL, pg, "COMMIT", DB_NO_PARAMS, err, "COMMIT")) {
		PQclear(res);
		return CS_EDB;
	}
	fprintf(out, "seed-demo: loaded the demo hauler %s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return CS_OK;
}

/* One transaction: unless tenant `demo` exists, load it. Rolled back on any failure. */
static int seed(PGconn *pg, const struct demo_hashes *hashes, FILE *out, FILE *err)
{
	const char *slug[] = {SEED_DEMO_SLUG};
	PGresult *res = NULL;
	bool exists = false;
	int rc = CS_EDB;

	if (run(NULL, pg, "BEGIN", DB_NO_PARAMS, err, "BEGIN") &&
	    run(NULL, pg, "SELECT pg_advisory_xact_lock(" SEED_LOCK_KEY ")", DB_NO_PARAMS, err,
	        "lock") &&
	    run(&res, pg, "SELECT 1 FROM tenants WHERE slug = $1", DB_PARAMS(slug), err,
	        "looking for the demo tenant")) {
		exists = PQntuples(res) > 0;
		PQclear(res);
		rc = exists ? CS_OK : load(pg, hashes, out, err);
	}
	if (exists || rc != CS_OK)
		run(NULL, pg, "ROLLBACK", DB_NO_PARAMS, err, "ROLLBACK");
	if (exists)
		fprintf(out, "seed-demo: the demo hauler is already loaded (tenant " SEED_DEMO_SLUG
		             "); nothing changed\n");
	return rc;
}

int seed_demo(const char *url, FILE *out, FILE *err)
{
	struct demo_hashes hashes;
	int rc;

	/* Two hashes, one after the other: the smallest gate. */
	if ((rc = password_gate_init(1, 0)) != CS_OK ||
	    (rc = password_hash(hashes.staff, SEED_DEMO_PASSWORD)) != CS_OK ||
	    (rc = password_hash(hashes.portal, SEED_DEMO_PORTAL_PASSWORD)) != CS_OK)
		return rc;
	PGconn *pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(err, "seed-demo: cannot connect: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return CS_EUNAVAILABLE;
	}
	if (!run(NULL, pg, "SET client_min_messages = warning", DB_NO_PARAMS, err, "settings"))
		rc = CS_EDB;
	else if ((rc = check_schema(pg, err)) == CS_OK)
		rc = seed(pg, &hashes, out, err);
	PQfinish(pg);
	if (rc == CS_OK)
		print_login(out);
	return rc;
}
