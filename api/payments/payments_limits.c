#include "payments/payments_limits.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/query.h"

static struct db_stmt check_stmt = DB_STMT(
        "payments_limits_check",
        "SELECT portal_velocity_check($1, $2, $3, $4, $5::boolean, $6::boolean, $7::int, $8::int)");

void payments_limits_of(struct payments_limits *out, const struct app *app)
{
	snprintf(out->declines, sizeof(out->declines), "%d", app->cfg.payment_declines_per_hour);
	snprintf(out->methods, sizeof(out->methods), "%d", app->cfg.payment_methods_per_hour);
}

int payments_limits_check(struct app *app, const struct payments_attempt *a)
{
	struct payments_limits limits;
	char *ignored = NULL;

	payments_limits_of(&limits, app);
	const char *params[] = {a->tenant_id,
	                        a->customer_id,
	                        a->user_id,
	                        a->claim_id,
	                        a->charge ? "true" : "false",
	                        a->new_method ? "true" : "false",
	                        limits.declines,
	                        limits.methods};
	int rc = db_query_text(&ignored, app->db, &check_stmt, DB_PARAMS(params));

	free(ignored);
	return rc;
}
