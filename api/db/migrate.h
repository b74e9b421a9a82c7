/*
 * The migrations runner: applies the embedded db/migrations/NNNN_name.sql files that are pending,
 * in order, then every db/functions/ file (CREATE OR REPLACE), in name order.
 */
#ifndef CURBSIDE_DB_MIGRATE_H
#define CURBSIDE_DB_MIGRATE_H

#include <stdio.h>

#include "core/error.h"

/*
 * Apply every pending migration to the database at `url`, each recorded in schema_migrations with
 * its checksum, then the functions, all in one transaction: a failure leaves the database as it
 * was. Concurrent runners serialise on an advisory lock. A migration whose file changed after it
 * was applied stops the run (CS_ECONFLICT), except the rewrite that moved the functions out of the
 * migrations (db/rewritten-migrations.sha256): then the new checksum is recorded. Progress goes
 * to `out`.
 */
int db_migrate(const char *url, FILE *out) CS_MUST_CHECK;

#endif
