/*
 * The hauler's uploaded logo in PostgreSQL (db/functions/logos.sql): stored, removed, read by
 * the tenant's slug for its public URL. The bytes are checked first (logos/logos_image.h).
 */
#ifndef CURBSIDE_LOGOS_SERVICE_H
#define CURBSIDE_LOGOS_SERVICE_H

#include <stddef.h>

#include "db/pool.h"
#include "logos/logos_image.h"

/*
 * Store `len` bytes of the checked image `img` as tenant `tenant_id`'s logo (replacing any) and
 * point its logo_url at `api_url` + "/v1/tenants/{slug}/logo?v=" + the first 12 hex digits of
 * its SHA-256 (a new logo, a new URL: caches never show the old one). *out: the Logo JSON.
 */
int logos_put(char **out, struct db_pool *db, const char *tenant_id, const unsigned char *data,
              size_t len, const struct logo_image *img, const char *api_url) CS_MUST_CHECK;

/* Remove the logo and clear logo_url. CS_ENOTFOUND logo_not_found when there is none. */
int logos_delete(struct db_pool *db, const char *tenant_id) CS_MUST_CHECK;

/* A stored logo: its bytes (malloc'd), type and ETag (its SHA-256, quoted). */
struct logo_file {
	unsigned char *data;
	size_t len;
	char content_type[16];
	char etag[68];
};

/* The logo of the tenant `slug` into *out (free out->data). CS_ENOTFOUND logo_not_found for a
 * tenant without one, or no such tenant. */
int logos_read(struct logo_file *out, struct db_pool *db, const char *slug) CS_MUST_CHECK;

#endif
