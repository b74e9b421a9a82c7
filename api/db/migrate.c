#include "db/migrate.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/sql_params.h"
#include "embedded.h"

/* Any fixed number: every runner takes the same lock. */
#define MIGRATION_LOCK_KEY "7262353"

static const char create_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       " version text PRIMARY KEY,"
                                       " checksum text NOT NULL,"
                                       " applied_at timestamptz NOT NULL DEFAULT now())";

/* Run `sql` (one or more statements). A file of comments only is an empty query: nothing to do. */
static bool run(PGconn *pg, const char *sql, FILE *out, const char *what)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;

	if (!ok)
		fprintf(out, "migrate: %s failed: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

static bool run_params(PGconn *pg, const char *sql, const char *const *params, int n, FILE *out,
                       const char *what)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

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

	*res = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1",
	                    DB_COUNT(params), NULL, params, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK || PQntuples(*res) == 0)
		return NULL;
	return PQgetvalue(*res, 0, 0);
}

/* Whether `text` has `line` as one of its lines (`line` ends with its newline). */
static bool has_line(const char *text, const char *line)
{
	for (const char *at = strstr(text, line); at; at = strstr(at + 1, line))
		if (at == text || at[-1] == '\n')
			return true;
	return false;
}

/*
 * Whether `checksum` is what migration `name` was before its functions moved to db/functions/
 * (db/rewritten-migrations.sha256, one "<sha256>  <file name>" line each, as sha256sum prints).
 */
static bool rewritten_from(const char *name, const char *checksum)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s  %s\n", checksum, name);

	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	for (size_t i = 0; i < embedded_rewritten_checksums_count; i++)
		if (has_line(embedded_rewritten_checksums[i].data, line))
			return true;
	return false;
}

/*
 * A migration applied before: unchanged, or applied by a release from before the functions left
 * the migrations (then its new checksum is recorded), or changed since (CS_ECONFLICT).
 */
static int check_applied(PGconn *pg, const struct embedded_file *m, const char *version,
                         const char *checksum, FILE *out)
{
	const char *params[] = {m->sha256, version};

	if (strcmp(checksum, m->sha256) == 0)
		return CS_OK;
	if (!rewritten_from(m->name, checksum)) {
		fprintf(out,
		        "migrate: %s was changed after it was applied; add a new migration "
		        "instead\n",
		        m->name);
		return CS_ECONFLICT;
	}
	if (!run_params(pg, "UPDATE schema_migrations SET checksum = $1 WHERE version = $2",
	                DB_PARAMS(params), out, m->name))
		return CS_EDB;
	fprintf(out, "migrate: %s: recorded the checksum of its rewritten file\n", version);
	return CS_OK;
}

/* Apply migration `m` unless it was applied before. Runs inside the caller's transaction. */
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
		int rc = check_applied(pg, m, version, checksum, out);
		PQclear(res);
		return rc;
	}
	PQclear(res);

	const char *params[] = {version, m->sha256};
	if (!run(pg, m->data, out, m->name) ||
	    !run_params(pg, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
	                DB_PARAMS(params), out, m->name))
		return CS_EDB;
	fprintf(out, "migrate: applied %s\n", version);
	return CS_OK;
}

/* Every db/functions/ file, in name order: CREATE OR REPLACE of the code the schema runs. */
static int apply_function_files(PGconn *pg, FILE *out)
{
	for (size_t i = 0; i < embedded_functions_count; i++)
		if (!run(pg, embedded_functions[i].data, out, embedded_functions[i].name))
			return CS_EDB;
	return CS_OK;
}

/*
 * PostgreSQL checks a LANGUAGE sql body when the function is created, so a function calling one
 * from a later file would fail. The first pass creates them all unchecked; the second replaces
 * them checked, against the complete set, so a broken body still stops the migration.
 */
static int apply_functions(PGconn *pg, FILE *out)
{
	if (!run(pg, "SET LOCAL check_function_bodies = off", out, "settings") ||
	    apply_function_files(pg, out) != CS_OK ||
	    !run(pg, "SET LOCAL check_function_bodies = on", out, "settings"))
		return CS_EDB;
	return apply_function_files(pg, out);
}

/* The pending migrations, then the functions, in the one transaction the caller opened. */
static int migrate_in_transaction(PGconn *pg, FILE *out)
{
	int rc = CS_OK;

	for (size_t i = 0; i < embedded_migrations_count && rc == CS_OK; i++)
		rc = apply_one(pg, &embedded_migrations[i], out);
	if (rc == CS_OK)
		rc = apply_functions(pg, out);
	return rc;
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
	rc = run(pg, "BEGIN", out, "BEGIN") ? migrate_in_transaction(pg, out) : CS_EDB;
	if (rc == CS_OK && !run(pg, "COMMIT", out, "COMMIT"))
		rc = CS_EDB;
	if (rc == CS_OK)
		fprintf(out,
		        "migrate: database is up to date (%zu migrations, %zu function files)\n",
		        embedded_migrations_count, embedded_functions_count);
	else if (run(pg, "ROLLBACK", out, "ROLLBACK"))
		fprintf(out, "migrate: rolled back: the database is as it was before this run\n");
	run(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", out, "unlock");
out:
	PQfinish(pg);
	return rc;
}
