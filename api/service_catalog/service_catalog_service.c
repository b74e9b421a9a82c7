#include "service_catalog/service_catalog_service.h"

#include "core/clock.h"
#include "core/log.h"
#include "db/query.h"

/* As the migration's CHECKs list them (0035_service_requests.sql). */
const char *const service_request_types[] = {"roll_off_delivery",
                                             "extra_pickup",
                                             "missed_pickup",
                                             "vacation_hold",
                                             "roll_off_swap",
                                             "roll_off_removal",
                                             NULL};

const char *const service_request_statuses[] = {"new",       "accepted",  "scheduled", "declined",
                                                "completed", "cancelled", NULL};

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

int service_catalog_now(char now[CLOCK_TEXT_SIZE], const struct app *app)
{
	if (clock_now_text(now, app->cfg.clock_file) == CS_OK)
		return CS_OK;
	LOG_ERROR("service requests: the clock file does not hold an instant");
	return CS_EINTERNAL;
}

int service_catalog_offers(char **out, struct app *app, const char *tenant_id)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = service_catalog_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *params[] = {tenant_id, now};
	return db_query_found(out, app->db, &offers_stmt, DB_PARAMS(params), "tenant");
}
