#include "notifications/notifications_service.h"

#include <stdlib.h>

#include "db/page_sql.h"
#include "db/query.h"

static struct db_stmt get_stmt =
        DB_STMT("notifications_get", "SELECT portal_sms_preference_json($1, $2)::text");

static struct db_stmt set_stmt = DB_STMT(
        "notifications_set", "SELECT sms_preference_set($1, $2, $3::jsonb, $4::jsonb)::text");

/* Newest first on sms_consents_customer_idx; 404 through HAVING for another tenant's customer.
 * The first page starts before (infinity, max uuid). */
static struct db_stmt consents_stmt =
        DB_STMT("notifications_consents",
                SQL_CUSTOMER_KEYSET_PAGE("SELECT r FROM sms_consents r WHERE r.tenant_id = $1 AND "
                                         "r.customer_id = $2 AND (r.created_at, r.id) < "
                                         "($3::timestamptz, $4::uuid) ORDER BY r.created_at DESC, "
                                         "r.id DESC LIMIT $5::int + 1",
                                         "sms_consent_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                                         "(s.r).created_at DESC, (s.r).id DESC", "$5"));

static struct db_stmt reminder_stmt = DB_STMT(
        "notifications_reminder", "SELECT sms_reminder_queue($1, $2, $3::jsonb, $4::jsonb)::text");

/* The actor as the JSON the SQL functions read (members left out when NULL). */
static json_t *actor_doc(const struct notifications_actor *a)
{
	json_t *doc = json_object();
	const struct {
		const char *name, *value;
	} members[] = {
	        {"source", a->source},
	        {"portal_user_id", a->portal_user_id},
	        {"staff_user_id", a->staff_user_id},
	        {"api_key_id", a->api_key_id},
	        {"client_address", a->client_address},
	        {"user_agent", a->user_agent},
	};

	/* A value that is not UTF-8 (a user agent can be anything) is left out. */
	for (size_t i = 0; doc && i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *value = members[i].value ? json_string(members[i].value) : NULL;
		if (value && json_object_set_new(doc, members[i].name, value)) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

/* Run `stmt` ($1 tenant, $2 customer, $3 body, $4 actor). */
static int write_with_actor(char **out, struct db_pool *db, struct db_stmt *stmt,
                            const char *tenant_id, const char *customer_id, const json_t *body,
                            const struct notifications_actor *actor)
{
	char *body_text = json_dumps(body, JSON_COMPACT);
	json_t *who = actor_doc(actor);
	int rc = CS_ENOMEM;

	*out = NULL;
	if (body_text && who) {
		const char *params[] = {tenant_id, customer_id, body_text, DB_JSON};
		rc = db_query_text_json(out, db, stmt, DB_PARAMS(params), who);
	}
	free(body_text);
	json_decref(who);
	return rc;
}

int notifications_get(char **out, struct db_pool *db, const char *tenant_id,
                      const char *customer_id)
{
	const char *params[] = {tenant_id, customer_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "customer account");
}

int notifications_set(char **out, struct db_pool *db, const char *tenant_id,
                      const char *customer_id, const json_t *body,
                      const struct notifications_actor *actor)
{
	return write_with_actor(out, db, &set_stmt, tenant_id, customer_id, body, actor);
}

int notifications_consents(char **out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &consents_stmt, DB_PARAMS(params), "customer");
}

int notifications_queue_reminder(char **out, struct db_pool *db, const char *tenant_id,
                                 const char *customer_id, const json_t *body,
                                 const struct notifications_actor *actor)
{
	return write_with_actor(out, db, &reminder_stmt, tenant_id, customer_id, body, actor);
}
