#include "tenants/tenants_service.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/validate.h"
#include "db/query.h"
#include "tenants/branding_cache.h"
#include "tenants/tenants_sql.h"

static struct db_stmt create_stmt =
        DB_STMT("tenants_create",
                "INSERT INTO tenants (slug, name, currency, time_zone, logo_url, brand_color, "
                "contact_phone, contact_email, contact_address, contact_website, portal_enabled, "
                "self_signup_enabled, show_pending_invoices) "
                "SELECT p->>'slug', p->>'name', coalesce(p->>'currency', 'USD'), "
                "coalesce(p->>'time_zone', 'America/New_York'), p->>'logo_url', p->>'brand_color', "
                "p->'contact'->>'phone', p->'contact'->>'email', p->'contact'->>'address', "
                "p->'contact'->>'website', coalesce((p->>'portal_enabled')::boolean, false), "
                "coalesce((p->>'self_signup_enabled')::boolean, true), "
                "coalesce((p->>'show_pending_invoices')::boolean, false) "
                "FROM (SELECT $1::jsonb AS p) AS input RETURNING " TENANT_JSON_SQL);

static struct db_stmt update_stmt =
        DB_STMT("tenants_update",
                "UPDATE tenants SET " TENANT_PATCH_SET_SQL " FROM (SELECT $2::jsonb AS p) AS input "
                "WHERE slug = $1 RETURNING " TENANT_JSON_SQL);

/* The SQL measured by scripts/bench against pgbench (db/bench/branding.sql is its copy). */
static struct db_stmt branding_stmt = DB_STMT("tenants_branding", "SELECT " TENANT_BRANDING_JSON_SQL
                                                                  " FROM tenants WHERE slug = $1");

static struct db_stmt settings_stmt = DB_STMT("tenants_settings", "SELECT " TENANT_SETTINGS_JSON_SQL
                                                                  " FROM tenants WHERE id = $1");

static struct db_stmt update_settings_stmt =
        DB_STMT("tenants_update_settings",
                "UPDATE tenants SET " TENANT_PATCH_SET_SQL " FROM (SELECT $2::jsonb AS p) AS input "
                "WHERE id = $1 RETURNING " TENANT_SETTINGS_JSON_SQL);

int tenants_not_found(const char *slug)
{
	return cs_error_set(CS_ENOTFOUND, "tenant_not_found", "There is no hauler named '%.63s'.",
	                    slug);
}

/* Run `stmt` with `input` serialised as its last parameter (after `key` when there is one). */
static int write_json(char **out, struct db_pool *db, struct db_stmt *stmt, const char *key,
                      const json_t *input)
{
	const char *with_key[] = {key, DB_JSON};
	const char *alone[] = {DB_JSON};

	/* Any tenant write may change a branding: drop the cache (writes are rare). */
	branding_cache_clear();
	if (key)
		return db_query_text_json(out, db, stmt, DB_PARAMS(with_key), input);
	return db_query_text_json(out, db, stmt, DB_PARAMS(alone), input);
}

int tenants_create(char **out, struct db_pool *db, const json_t *input)
{
	return write_json(out, db, &create_stmt, NULL, input);
}

int tenants_update(char **out, struct db_pool *db, const char *slug, const json_t *patch)
{
	int rc = write_json(out, db, &update_stmt, slug, patch);

	return rc == CS_OK && !*out ? tenants_not_found(slug) : rc;
}

static bool google_login_configured;

void tenants_login_methods_configure(bool google)
{
	google_login_configured = google;
}

int tenants_login_methods_apply(char **json, const char *member)
{
	json_t *doc, *branding;
	char *text = NULL;

	/* The SQL says ["password"]; only a configured Google sign-in changes it. */
	if (!google_login_configured || !*json)
		return CS_OK;
	if ((doc = json_loads(*json, 0, NULL))) {
		branding = member ? json_object_get(doc, member) : doc;
		if (!json_is_object(branding) ||
		    !json_object_set_new(branding, "login_methods",
		                         json_pack("[ss]", "password", "google")))
			text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	free(*json);
	*json = text;
	return text ? CS_OK : CS_ENOMEM;
}

int tenants_branding(char **out, struct db_pool *db, const char *slug)
{
	const char *params[] = {slug};
	int rc;

	/* A slug that cannot exist is not worth a round trip. */
	if (!validate_slug(slug))
		return tenants_not_found(slug);
	if ((*out = branding_cache_get(slug, time(NULL))))
		return CS_OK;
	rc = db_query_text(out, db, &branding_stmt, DB_PARAMS(params));
	if (rc == CS_OK && *out)
		rc = tenants_login_methods_apply(out, NULL);
	if (rc == CS_OK && *out)
		branding_cache_put(slug, *out, time(NULL));
	return rc == CS_OK && !*out ? tenants_not_found(slug) : rc;
}

int tenants_settings(char **out, struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};
	int rc = db_query_text(out, db, &settings_stmt, DB_PARAMS(params));

	return rc == CS_OK && !*out ? cs_error_set(CS_ENOTFOUND, "not_found", "No such hauler.")
	                            : rc;
}

int tenants_update_settings(char **out, struct db_pool *db, const char *tenant_id,
                            const json_t *patch)
{
	int rc = write_json(out, db, &update_settings_stmt, tenant_id, patch);

	return rc == CS_OK && !*out ? cs_error_set(CS_ENOTFOUND, "not_found", "No such hauler.")
	                            : rc;
}

void tenants_branding_changed(void)
{
	branding_cache_clear();
}
