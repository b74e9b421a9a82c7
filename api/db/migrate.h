/* The migrations runner: applies the embedded db/migrations/NNNN_name.sql files in order. */
#ifndef CURBSIDE_DB_MIGRATE_H
#define CURBSIDE_DB_MIGRATE_H

#include <stdio.h>

#include "core/error.h"

/*
 * Apply every pending migration to the database at `url`, each inside its own transaction and
 * recorded in schema_migrations with its checksum. Concurrent runners serialise on an advisory
 * lock. A migration whose file changed after it was applied stops the run (CS_ECONFLICT).
 * Progress goes to `out`.
 */
int db_migrate(const char *url, FILE *out) CS_MUST_CHECK;

#endif
