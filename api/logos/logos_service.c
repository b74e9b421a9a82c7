#include "logos/logos_service.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hex.h"
#include "db/query.h"
#include "tenants/tenants_service.h"

static struct db_stmt put_stmt = DB_STMT(
        "logos_put", "SELECT logo_put($1, $2, $3::bytea, $4::integer, $5::integer, $6, $7 || "
                     "'/v1/tenants/' || (SELECT slug FROM tenants WHERE id = $1) || '/logo?v=' || "
                     "left($6, 12))");

static struct db_stmt delete_stmt =
        DB_STMT("logos_delete", "SELECT CASE WHEN logo_delete($1) THEN 'true' END");

static struct db_stmt read_stmt = DB_STMT(
        "logos_read", "SELECT l.content_type, l.sha256, encode(l.data, 'hex') FROM tenant_logos l "
                      "JOIN tenants t ON t.id = l.tenant_id WHERE t.slug = $1");

static int no_logo(void)
{
	return cs_error_set(CS_ENOTFOUND, "logo_not_found", "This hauler has no logo.");
}

/* `api_url` without its trailing slashes, in a new string. */
static char *base_url(const char *api_url)
{
	size_t n = strlen(api_url);

	while (n && api_url[n - 1] == '/')
		n--;
	return strndup(api_url, n);
}

int logos_put(char **out, struct db_pool *db, const char *tenant_id, const unsigned char *data,
              size_t len, const struct logo_image *img, const char *api_url)
{
	char sha[HASH_SHA256_HEX_SIZE], width[16], height[16];
	char *bytea = malloc(2 * len + 3), *base = base_url(api_url);
	int rc;

	*out = NULL;
	if (!bytea || !base) {
		rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		goto out;
	}
	if ((rc = hash_sha256_hex(sha, data, len)) != CS_OK)
		goto out;
	/* bytea's hex input form: \x and two digits a byte. */
	memcpy(bytea, "\\x", 2);
	hex_encode(bytea + 2, data, len);
	snprintf(width, sizeof(width), "%d", img->width);
	snprintf(height, sizeof(height), "%d", img->height);
	const char *params[] = {tenant_id, img->content_type, bytea, width, height, sha, base};

	rc = db_query_text(out, db, &put_stmt, DB_PARAMS(params));
	/* logo_url is part of the public branding. */
	tenants_branding_changed();
out:
	free(bytea);
	free(base);
	return rc;
}

int logos_delete(struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};
	char *found = NULL;
	int rc = db_query_text(&found, db, &delete_stmt, DB_PARAMS(params));

	tenants_branding_changed();
	if (rc == CS_OK && !found)
		rc = no_logo();
	free(found);
	return rc;
}

int logos_read(struct logo_file *out, struct db_pool *db, const char *slug)
{
	const char *params[] = {slug};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_query_result(&res, db, &read_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	if (PQntuples(res) != 1) {
		rc = no_logo();
		goto out;
	}
	snprintf(out->content_type, sizeof(out->content_type), "%s", PQgetvalue(res, 0, 0));
	snprintf(out->etag, sizeof(out->etag), "\"%s\"", PQgetvalue(res, 0, 1));
	rc = hex_decode(&out->data, &out->len, PQgetvalue(res, 0, 2));
	rc = rc == 0    ? CS_OK
	     : rc == -2 ? cs_error_set(CS_ENOMEM, NULL, "Out of memory.")
	                : cs_error_set(CS_EINTERNAL, NULL, "The stored logo could not be read.");
out:
	PQclear(res);
	return rc;
}
