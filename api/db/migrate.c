#include "db/migrate.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <string.h>

#include "embedded.h"

/* Any fixed number: every runner takes the same lock. */
#define MIGRATION_LOCK_KEY "7262353"

static const char create_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       " version text PRIMARY KEY,"
                                       " checksum text NOT NULL,"
                                       " applied_at timestamptz NOT NULL DEFAULT now())";

static bool run(PGconn *pg, const char *sql, FILE *out, const char *what)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(out, "migrate: %s failed: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/* The checksum recorded for `version`, or NULL when it was never applied. Caller PQclears `*res`.
 */
static const char *applied_checksum(PGconn *pg, const char *version, PGresult **res)
{
	const char *params[] = {version};

	*res = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1", 1,
	                    NULL, params, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK || PQntuples(*res) == 0)
		return NULL;
	return PQgetvalue(*res, 0, 0);
}

static int apply_one(PGconn *pg, const struct embedded_file *m, FILE *out)
{
	char version[128];
	size_t len = strlen(m->name);

	if (len < 5 || len - 4 >= sizeof(version) || strcmp(m->name + len - 4, ".sql") != 0)
		return CS_EINVALID;
	memcpy(version, m->name, len - 4);
	version[len - 4] = '\0';

	PGresult *res = NULL;
	const char *checksum = applied_checksum(pg, version, &res);
	if (checksum) {
		int rc = strcmp(checksum, m->sha256) == 0 ? CS_OK : CS_ECONFLICT;
		if (rc != CS_OK)
			fprintf(out,
			        "migrate: %s was changed after it was applied; add a new migration "
			        "instead\n",
			        m->name);
		PQclear(res);
		return rc;
	}
	PQclear(res);

	const char *params[] = {version, m->sha256};
	if (!run(pg, "BEGIN", out, "BEGIN") || !run(pg, m->data, out, m->name))
		goto fail;
	res = PQexecParams(pg, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
	                   2, NULL, params, NULL, NULL, 0);
	bool recorded = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!recorded || !run(pg, "COMMIT", out, "COMMIT"))
		goto fail;
	fprintf(out, "migrate: applied %s\n", version);
	return CS_OK;
fail:
	run(pg, "ROLLBACK", out, "ROLLBACK");
	return CS_EDB;
}

int db_migrate(const char *url, FILE *out)
{
	int rc = CS_EDB;
	PGconn *pg = PQconnectdb(url);

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(out, "migrate: cannot connect: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return CS_EUNAVAILABLE;
	}
	if (!run(pg, "SET client_min_messages = warning", out, "settings") ||
	    !run(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", out, "lock") ||
	    !run(pg, create_table_sql, out, "schema_migrations"))
		goto out;
	rc = CS_OK;
	for (size_t i = 0; i < embedded_migrations_count && rc == CS_OK; i++)
		rc = apply_one(pg, &embedded_migrations[i], out);
	if (rc == CS_OK)
		fprintf(out, "migrate: database is up to date (%zu migrations)\n",
		        embedded_migrations_count);
	run(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", out, "unlock");
out:
	PQfinish(pg);
	return rc;
}
