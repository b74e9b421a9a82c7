#include "contact/contact_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/query.h"

static struct db_stmt send_stmt = DB_STMT(
        "contact_send",
        "SELECT portal_contact_send($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::int)::text");

/* The function answers {retry_after: n} instead of queueing when the budget is spent. */
static int refuse_if_throttled(const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);
	json_int_t wait = json_integer_value(json_object_get(doc, "retry_after"));

	json_decref(doc);
	if (!doc)
		return cs_error_set(CS_EINTERNAL, NULL, "portal_contact_send answered no JSON");
	if (wait <= 0)
		return CS_OK;
	cs_error_set(CS_ETHROTTLED, "too_many_messages",
	             "You have sent %d messages in the last hour. Try again in %d seconds.",
	             CONTACT_MESSAGES_PER_HOUR, (int)wait);
	cs_error_set_retry_after((int)wait);
	return CS_ETHROTTLED;
}

int contact_send(char **out, struct db_pool *db, const struct principal *who,
                 const struct contact_message *msg, const char *client_address)
{
	char per_hour[16];
	const char *params[] = {who->tenant_id, who->account_id, who->user_id, msg->subject,
	                        msg->message,   client_address,  per_hour};
	char *json = NULL;

	snprintf(per_hour, sizeof(per_hour), "%d", CONTACT_MESSAGES_PER_HOUR);
	int rc = db_query_found(&json, db, &send_stmt, DB_PARAMS(params), "portal account");
	if (rc == CS_OK && (rc = refuse_if_throttled(json)) != CS_OK) {
		free(json);
		return rc;
	}
	*out = json;
	return rc;
}
