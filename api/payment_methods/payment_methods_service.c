#include "payment_methods/payment_methods_service.h"

#include <jansson.h>
#include <stdlib.h>

#include "db/query.h"
#include "payments/payments_limits.h"
#include "processors/processor.h"

static struct db_stmt list_stmt =
        DB_STMT("payment_methods_list", "SELECT portal_payment_methods_json($1, $2)::text");

static struct db_stmt add_stmt = DB_STMT(
        "payment_methods_add",
        "SELECT portal_payment_method_add($1, $2, $3, $4, $5::json, $6::boolean, $7::int)::text");

static struct db_stmt remove_stmt =
        DB_STMT("payment_methods_remove", "SELECT payment_method_remove($1, $2, $3)");

static struct db_stmt set_default_stmt = DB_STMT(
        "payment_methods_set_default", "SELECT payment_method_set_default($1, $2, $3)::text");

int payment_methods_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id)
{
	const char *params[] = {tenant_id, customer_id};

	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer account");
}

/* What the database keeps of a processor's method (never the token). */
static json_t *method_doc(const struct processor_method *m)
{
	bool card = m->exp_month > 0;

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "processor_ref", m->ref, "type",
	                 m->type, "brand", m->brand, "last4", m->last4, "exp_month",
	                 card ? json_integer(m->exp_month) : json_null(), "exp_year",
	                 card ? json_integer(m->exp_year) : json_null(), "bank_name", m->bank_name);
}

int payment_methods_add(char **out, struct app *app, const struct principal *who, const char *token,
                        bool make_default)
{
	const struct payments_attempt attempt = {.tenant_id = who->tenant_id,
	                                         .customer_id = who->account_id,
	                                         .user_id = who->user_id,
	                                         .new_method = true};
	struct processor_method method;
	struct payments_limits limits;
	int rc;

	/* Past the limit the processor is not even asked; the insert checks again, exactly. */
	if ((rc = payments_limits_check(app, &attempt)) != CS_OK)
		return rc;
	payments_limits_of(&limits, app);
	const char *params[] = {who->tenant_id, who->account_id,
	                        who->user_id,   processor_name(app->processor),
	                        DB_JSON,        make_default ? "true" : "false",
	                        limits.methods};
	if ((rc = processor_create_method(app->processor, &method, token)) == CS_EINVALID)
		cs_error_set_field("payment_token");
	if (rc != CS_OK)
		return rc;
	json_t *doc = method_doc(&method);
	if (!doc)
		return CS_ENOMEM;
	rc = db_query_text_json(out, app->db, &add_stmt, DB_PARAMS(params), doc);
	json_decref(doc);
	return rc;
}

int payment_methods_remove(struct db_pool *db, const char *tenant_id, const char *customer_id,
                           const char *id)
{
	const char *params[] = {tenant_id, customer_id, id};
	char *ignored = NULL;
	int rc = db_query_text(&ignored, db, &remove_stmt, DB_PARAMS(params));

	free(ignored);
	return rc;
}

int payment_methods_set_default(char **out, struct db_pool *db, const char *tenant_id,
                                const char *customer_id, const char *id)
{
	const char *params[] = {tenant_id, customer_id, id};

	return db_query_found(out, db, &set_default_stmt, DB_PARAMS(params), "payment method");
}
