#include "service_catalog/service_catalog_service.h"

#include "autopay/autopay_clock.h"
#include "core/log.h"
#include "db/query.h"

static struct db_stmt get_stmt =
        DB_STMT("service_catalog_get", "SELECT service_catalog_json($1)::text");

static struct db_stmt update_stmt =
        DB_STMT("service_catalog_update", "SELECT service_catalog_update($1, $2::jsonb)");

static struct db_stmt offers_stmt = DB_STMT(
        "service_catalog_offers", "SELECT portal_service_catalog_json($1, $2::timestamptz)");

int service_catalog_get(char **out, struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "tenant");
}

int service_catalog_update(char **out, struct db_pool *db, const char *tenant_id,
                           const json_t *patch)
{
	const char *params[] = {tenant_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}

_Static_assert(SERVICE_CATALOG_NOW_SIZE == AUTOPAY_CLOCK_SIZE, "one size for the clock's text");

int service_catalog_now(char now[SERVICE_CATALOG_NOW_SIZE], const struct app *app)
{
	if (autopay_clock_now(now, app->cfg.clock_file) == CS_OK)
		return CS_OK;
	LOG_ERROR("service requests: the clock file does not hold an instant");
	return CS_EINTERNAL;
}

int service_catalog_offers(char **out, struct app *app, const char *tenant_id)
{
	char now[SERVICE_CATALOG_NOW_SIZE];
	int rc = service_catalog_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *params[] = {tenant_id, now};
	return db_query_found(out, app->db, &offers_stmt, DB_PARAMS(params), "tenant");
}
