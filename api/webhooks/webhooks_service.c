#include "webhooks/webhooks_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/page_sql.h"
#include "db/query.h"
#include "webhooks/webhooks_sender.h"

/* The event types of a body's JSON array, in order, each once. */
#define SQL_EVENT_TYPES(param)                                                                     \
	"ARRAY(SELECT t FROM json_array_elements_text(" param "::json) WITH ORDINALITY x(t, n) "   \
	"GROUP BY t ORDER BY min(n))"

static struct db_stmt list_stmt =
        DB_STMT("webhooks_endpoints_list",
                SQL_KEYSET_PAGE("SELECT r FROM webhook_endpoints r WHERE r.tenant_id = $1 AND "
                                "(r.created_at, r.id) > ($2::timestamptz, $3::uuid) ORDER BY "
                                "r.created_at, r.id LIMIT $4::int + 1",
                                "webhook_endpoint_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                                "(s.r).created_at, (s.r).id", "$4"));

static struct db_stmt get_stmt = DB_STMT(
        "webhooks_endpoint_get", "SELECT webhook_endpoint_json(e)::text FROM webhook_endpoints e "
                                 "WHERE e.tenant_id = $1 AND e.id = $2");

/* clang-format off */
static struct db_stmt create_stmt = DB_STMT(
        "webhooks_endpoint_create",
        "INSERT INTO webhook_endpoints AS e (tenant_id, url, event_types, description, "
        "secret_nonce) VALUES ($1, $2, " SQL_EVENT_TYPES("$3") ", coalesce($4, ''), "
        "decode($5, 'hex')) RETURNING webhook_endpoint_json(e)::text");
/* clang-format on */

/* clang-format off */
/* $6 enabled (NULL: unchanged); switching off is 'manual', switching on forgets the failures. */
static struct db_stmt update_stmt = DB_STMT(
        "webhooks_endpoint_update",
        "UPDATE webhook_endpoints e SET url = coalesce($3, e.url), "
        "event_types = CASE WHEN $4::text IS NULL THEN e.event_types "
        "ELSE " SQL_EVENT_TYPES("$4") " END, "
        "description = coalesce($5, e.description), "
        "enabled = coalesce($6::boolean, e.enabled), "
        "disabled_reason = CASE WHEN $6::boolean IS NULL OR $6::boolean = e.enabled "
        "THEN e.disabled_reason WHEN $6::boolean THEN NULL ELSE 'manual' END, "
        "disabled_at = CASE WHEN $6::boolean IS NULL OR $6::boolean = e.enabled "
        "THEN e.disabled_at WHEN $6::boolean THEN NULL ELSE $7::timestamptz END, "
        "failing_since = CASE WHEN $6::boolean AND NOT e.enabled THEN NULL "
        "ELSE e.failing_since END, updated_at = now() "
        "WHERE e.tenant_id = $1 AND e.id = $2 RETURNING webhook_endpoint_json(e)::text");
/* clang-format on */

static struct db_stmt delete_stmt =
        DB_STMT("webhooks_endpoint_delete", "DELETE FROM webhook_endpoints WHERE tenant_id = $1 "
                                            "AND id = $2 RETURNING id::text");

static struct db_stmt rotate_stmt = DB_STMT(
        "webhooks_endpoint_rotate",
        "UPDATE webhook_endpoints e SET previous_secret_nonce = e.secret_nonce, "
        "previous_secret_expires_at = $4::timestamptz + make_interval(secs => $5::int), "
        "secret_nonce = decode($3, 'hex'), updated_at = now() WHERE e.tenant_id = $1 AND e.id "
        "= $2 RETURNING webhook_endpoint_json(e)::text");

/* Newest first, keyed by (created_at, id); the first page starts before (infinity, max uuid).
 * $6 status, $7 event id: NULL for any. No row when the tenant has no endpoint $5. */
/* clang-format off */
static struct db_stmt deliveries_stmt = DB_STMT(
        "webhooks_deliveries_list",
        SQL_KEYSET_PAGE("SELECT r FROM webhook_deliveries r WHERE r.tenant_id = $1 AND "
                        "r.endpoint_id = $5::uuid AND (r.created_at, r.id) < ($2::timestamptz, "
                        "$3::uuid) AND ($6::text IS NULL OR r.status = $6) AND ($7::uuid IS "
                        "NULL OR r.event_id = $7::uuid) ORDER BY r.created_at DESC, r.id DESC "
                        "LIMIT $4::int + 1",
                        "webhook_delivery_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                        "(s.r).created_at DESC, (s.r).id DESC", "$4")
        " HAVING EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = $1 AND "
        "e.id = $5::uuid)");
/* clang-format on */

static struct db_stmt delivery_stmt =
        DB_STMT("webhooks_delivery_get",
                "SELECT webhook_delivery_detail_json(d)::text FROM webhook_deliveries d WHERE "
                "d.tenant_id = $1 AND d.endpoint_id = $2 AND d.id = $3");

static struct db_stmt redeliver_stmt =
        DB_STMT("webhooks_delivery_redeliver",
                "SELECT webhook_redeliver($1, $2::uuid, $3::uuid, $4::timestamptz)::text");

static int now_text(char now[CLOCK_TEXT_SIZE], const struct app *app)
{
	if (clock_now_text(now, app->cfg.clock_file) == CS_OK)
		return CS_OK;
	LOG_ERROR("webhooks: the clock file does not hold an instant");
	return CS_EINTERNAL;
}

/* The endpoint JSON `*json` (replaced) with the secret of `nonce` added: shown this once. */
static int add_secret(char **json, const struct app *app, const char *nonce)
{
	char secret[WEBHOOKS_SECRET_SIZE];
	json_t *doc = json_loads(*json, 0, NULL);
	char *text = NULL;
	int rc = webhooks_secret(secret, app->cfg.webhook_signing_key, nonce);

	if (rc == CS_OK && !json_is_object(doc))
		rc = CS_EINTERNAL;
	if (rc == CS_OK && (json_object_set_new(doc, "secret", json_string(secret)) != 0 ||
	                    !(text = json_dumps(doc, JSON_COMPACT))))
		rc = CS_ENOMEM;
	explicit_bzero(secret, sizeof(secret));
	json_decref(doc);
	if (rc == CS_OK) {
		free(*json);
		*json = text;
	}
	return rc;
}

/* A body member as text for SQL: a string as is, an array as its JSON; NULL when absent. */
static char *member_text(const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);

	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_is_array(v) ? json_dumps(v, JSON_COMPACT) : NULL;
}

static int url_allowed(const struct app *app, const json_t *body)
{
	const char *url = json_string_value(json_object_get(body, "url"));

	return url ? webhooks_url_check(url, app->cfg.production, app->cfg.webhook_allow_private)
	           : CS_OK;
}

int webhooks_endpoints_list(char **out, struct app *app, const char *tenant_id,
                            const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_BEFORE_ALL_INSTANTS, CURSOR_NIL_ID);
	const char *params[] = {tenant_id, key, id, page->limit};
	return db_query_text(out, app->db, &list_stmt, DB_PARAMS(params));
}

int webhooks_endpoint_get(char **out, struct app *app, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};

	return db_query_found(out, app->db, &get_stmt, DB_PARAMS(params), "webhook endpoint");
}

int webhooks_endpoint_create(char **out, struct app *app, const char *tenant_id, const json_t *body)
{
	char nonce[2 * WEBHOOKS_NONCE_BYTES + 1], *types = NULL;
	int rc;

	*out = NULL;
	if ((rc = url_allowed(app, body)) != CS_OK || (rc = webhooks_new_nonce(nonce)) != CS_OK)
		return rc;
	if (!(types = member_text(body, "event_types")))
		return CS_ENOMEM;
	const char *params[] = {tenant_id, json_string_value(json_object_get(body, "url")), types,
	                        json_string_value(json_object_get(body, "description")), nonce};
	rc = db_query_text(out, app->db, &create_stmt, DB_PARAMS(params));
	free(types);
	if (rc == CS_OK)
		rc = add_secret(out, app, nonce);
	return rc;
}

int webhooks_endpoint_update(char **out, struct app *app, const char *tenant_id, const char *id,
                             const json_t *body)
{
	char now[CLOCK_TEXT_SIZE], *types = member_text(body, "event_types");
	const json_t *enabled = json_object_get(body, "enabled");
	int rc;

	*out = NULL;
	if ((rc = url_allowed(app, body)) != CS_OK || (rc = now_text(now, app)) != CS_OK)
		goto out;
	const char *params[] = {tenant_id,
	                        id,
	                        json_string_value(json_object_get(body, "url")),
	                        types,
	                        json_string_value(json_object_get(body, "description")),
	                        enabled ? (json_is_true(enabled) ? "true" : "false") : NULL,
	                        now};
	rc = db_query_found(out, app->db, &update_stmt, DB_PARAMS(params), "webhook endpoint");
out:
	free(types);
	return rc;
}

int webhooks_endpoint_delete(struct app *app, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};
	char *deleted = NULL;
	int rc = db_query_found(&deleted, app->db, &delete_stmt, DB_PARAMS(params),
	                        "webhook endpoint");

	free(deleted);
	return rc;
}

int webhooks_endpoint_rotate(char **out, struct app *app, const char *tenant_id, const char *id,
                             long overlap_seconds)
{
	char nonce[2 * WEBHOOKS_NONCE_BYTES + 1], now[CLOCK_TEXT_SIZE], overlap[24];
	int rc;

	*out = NULL;
	if ((rc = webhooks_new_nonce(nonce)) != CS_OK || (rc = now_text(now, app)) != CS_OK)
		return rc;
	snprintf(overlap, sizeof(overlap), "%ld", overlap_seconds);
	const char *params[] = {tenant_id, id, nonce, now, overlap};
	rc = db_query_found(out, app->db, &rotate_stmt, DB_PARAMS(params), "webhook endpoint");
	if (rc == CS_OK)
		rc = add_secret(out, app, nonce);
	return rc;
}

int webhooks_deliveries_list(char **out, struct app *app, const char *tenant_id,
                             const char *endpoint_id, const struct webhooks_delivery_filter *filter,
                             const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, "infinity", CURSOR_MAX_ID);
	const char *params[] = {tenant_id,       key, id, page->limit, endpoint_id, filter->status,
	                        filter->event_id};
	return db_query_found(out, app->db, &deliveries_stmt, DB_PARAMS(params),
	                      "webhook endpoint");
}

int webhooks_delivery_get(char **out, struct app *app, const char *tenant_id,
                          const char *endpoint_id, const char *delivery_id)
{
	const char *params[] = {tenant_id, endpoint_id, delivery_id};

	return db_query_found(out, app->db, &delivery_stmt, DB_PARAMS(params), "webhook delivery");
}

int webhooks_delivery_redeliver(char **out, struct app *app, const char *tenant_id,
                                const char *endpoint_id, const char *delivery_id)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = now_text(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *params[] = {tenant_id, endpoint_id, delivery_id, now};
	rc = db_query_text(out, app->db, &redeliver_stmt, DB_PARAMS(params));
	if (rc == CS_OK && !*out)
		return cs_error_set(CS_ENOTFOUND, "not_found",
		                    "There is no webhook delivery with "
		                    "this id.");
	return rc;
}
