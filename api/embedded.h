/* Files compiled into the binary by scripts/embed.py (migrations, the OpenAPI document, docs UI,
 * the demo data). */
#ifndef CURBSIDE_EMBEDDED_H
#define CURBSIDE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;   /* base name, e.g. "0001_tenants.sql" */
	const char *data;   /* NUL-terminated contents */
	size_t size;        /* bytes, without the NUL */
	const char *sha256; /* hex digest of the contents */
};

extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;
extern const struct embedded_file embedded_functions[];
extern const size_t embedded_functions_count;
extern const struct embedded_file embedded_rewritten_checksums[];
extern const size_t embedded_rewritten_checksums_count;
extern const struct embedded_file embedded_assets[];
extern const size_t embedded_assets_count;
extern const struct embedded_file embedded_seed[];
extern const size_t embedded_seed_count;

/* The asset named `name`, or NULL. */
const struct embedded_file *embedded_asset(const char *name);

#endif
