#include "autopay/autopay_service.h"

#include "core/clock.h"
#include "core/log.h"
#include "db/query.h"

static struct db_stmt get_stmt =
        DB_STMT("portal_autopay_get", "SELECT portal_autopay_get($1, $2, $3::timestamptz)");

static struct db_stmt put_stmt = DB_STMT(
        "portal_autopay_put", "SELECT portal_autopay_put($1, $2, $3::jsonb, $4::timestamptz)");

/* The autopay clock, or a logged internal error. */
static int clock_now(char now[CLOCK_TEXT_SIZE], const struct app *app)
{
	int rc = clock_now_text(now, app->cfg.clock_file);

	if (rc != CS_OK)
		LOG_ERROR("autopay: the clock file does not hold an instant");
	return rc == CS_OK ? CS_OK : CS_EINTERNAL;
}

int autopay_get(char **out, struct app *app, const char *tenant_id, const char *customer_id)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = clock_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *params[] = {tenant_id, customer_id, now};
	return db_query_found(out, app->db, &get_stmt, DB_PARAMS(params), "customer account");
}

int autopay_put(char **out, struct app *app, const char *tenant_id, const char *customer_id,
                const json_t *body)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = clock_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *params[] = {tenant_id, customer_id, DB_JSON, now};
	return db_query_text_json(out, app->db, &put_stmt, DB_PARAMS(params), body);
}
