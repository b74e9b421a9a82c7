#include "portal_access/portal_access_service.h"

#include <stdlib.h>

#include "app.h"
#include "db/page_sql.h"
#include "db/query.h"
#include "portal_access/invitation_links.h"

static struct db_stmt set_stmt = DB_STMT(
        "portal_access_set", "SELECT customer_portal_set($1, $2, $3::jsonb, $4::jsonb, $5)");

static struct db_stmt profile_stmt =
        DB_STMT("portal_access_profile", "SELECT customer_profile($1, $2)");

/* A customer's invitations, newest first, on invitations_customer_idx; 404 through HAVING for
 * another tenant's customer. The first page starts before (infinity, max uuid). */
static struct db_stmt list_stmt =
        DB_STMT("portal_access_invitations",
                SQL_CUSTOMER_KEYSET_PAGE("SELECT r FROM invitations r WHERE r.tenant_id = $1 AND "
                                         "r.customer_id = $2 AND (r.created_at, r.id) < "
                                         "($3::timestamptz, $4::uuid) ORDER BY r.created_at DESC, "
                                         "r.id DESC LIMIT $5::int + 1",
                                         "invitation_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                                         "(s.r).created_at DESC, (s.r).id DESC", "$5"));

static struct db_stmt get_stmt = DB_STMT(
        "portal_access_invitation",
        "SELECT invitation_json(i)::text FROM invitations i WHERE i.tenant_id = $1 AND i.id = $2");

static struct db_stmt current_stmt =
        DB_STMT("portal_access_current", "SELECT customer_current_invitation_json($1, $2)::text");

static struct db_stmt create_stmt = DB_STMT(
        "portal_access_invite", "SELECT invitation_create($1, $2, $3::jsonb, $4::jsonb, $5)");

static struct db_stmt resend_stmt =
        DB_STMT("portal_access_resend", "SELECT invitation_resend($1, $2, $3::jsonb)");

static struct db_stmt revoke_stmt =
        DB_STMT("portal_access_revoke", "SELECT invitation_revoke($1, $2)");

/* Move the "invitation" member of a {customer, invitation, ...} answer into customer.portal. */
static int nest_invitation(json_t *doc)
{
	json_t *portal = json_object_get(json_object_get(doc, "customer"), "portal");
	json_t *invitation = json_object_get(doc, "invitation");

	if (!json_is_object(portal) || !invitation)
		return CS_EINTERNAL;
	if (json_object_set(portal, "invitation", invitation) != 0 ||
	    json_object_del(doc, "invitation") != 0)
		return CS_ENOMEM;
	return CS_OK;
}

/* Parse `text` (freed), nest and resolve the invitation, and serialise `member` of it ("customer")
 * or the whole document (NULL) into *out. */
static int customer_answer(char **out, char *text, const struct app *app, const char *member)
{
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	int rc;

	*out = NULL;
	free(text);
	if (!doc)
		return CS_EINTERNAL;
	if ((rc = nest_invitation(doc)) == CS_OK &&
	    (rc = invitation_links_resolve(doc, app)) == CS_OK) {
		json_t *part = member ? json_object_get(doc, member) : doc;
		if (!(*out = json_dumps(part, JSON_COMPACT)))
			rc = CS_ENOMEM;
	}
	json_decref(doc);
	return rc;
}

/* Run a write that takes a fresh link (for invitation `invitation_id`, NULL: a new one) as its
 * DB_JSON parameter; *out is its answer, with the link placeholders still in. */
static int write_with_link(char **out, struct app *app, struct db_stmt *stmt, const char **params,
                           int nparams, const char *invitation_id)
{
	json_t *link = NULL;
	int rc;

	*out = NULL;
	if ((rc = invitation_link_new(&link, app, invitation_id)) != CS_OK)
		return rc;
	rc = db_query_text_json(out, app->db, stmt, params, nparams, link);
	json_decref(link);
	return rc == CS_OK && !*out ? CS_EINTERNAL : rc;
}

int portal_access_set(char **out, struct app *app, const char *tenant_id, const char *customer_id,
                      const json_t *body, const char *created_by)
{
	char *body_text = json_dumps(body, JSON_COMPACT), *text = NULL;
	int rc;

	*out = NULL;
	if (!body_text)
		return CS_ENOMEM;
	const char *params[] = {tenant_id, customer_id, body_text, DB_JSON, created_by};
	rc = write_with_link(&text, app, &set_stmt, DB_PARAMS(params), NULL);
	free(body_text);
	return rc == CS_OK ? customer_answer(out, text, app, NULL) : rc;
}

int portal_access_customer_get(char **out, struct app *app, const char *tenant_id,
                               const char *customer_id)
{
	const char *params[] = {tenant_id, customer_id};
	char *text = NULL;
	int rc = db_query_found(&text, app->db, &profile_stmt, DB_PARAMS(params), "customer");

	return rc == CS_OK ? customer_answer(out, text, app, "customer") : rc;
}

int portal_access_attach_invitation(char **json, struct app *app, const char *tenant_id)
{
	json_t *customer = json_loads(*json, 0, NULL), *invitation = NULL;
	const char *id = json_string_value(json_object_get(customer, "id"));
	json_t *portal = json_object_get(customer, "portal");
	char *text = NULL, *out = NULL;
	int rc = CS_EINTERNAL;

	if (!id || !json_is_object(portal))
		goto out;
	const char *params[] = {tenant_id, id};
	if ((rc = db_query_text(&text, app->db, &current_stmt, DB_PARAMS(params))) != CS_OK)
		goto out;
	invitation = text ? json_loads(text, 0, NULL) : json_null();
	if (!invitation) {
		rc = CS_EINTERNAL;
		goto out;
	}
	if (json_object_set_new(portal, "invitation", invitation) != 0) {
		rc = CS_ENOMEM;
		goto out;
	}
	if ((rc = invitation_links_resolve(customer, app)) != CS_OK)
		goto out;
	if (!(out = json_dumps(customer, JSON_COMPACT))) {
		rc = CS_ENOMEM;
		goto out;
	}
	free(*json);
	*json = out;
out:
	free(text);
	json_decref(customer);
	return rc;
}

int portal_access_invitations_list(char **out, struct app *app, const char *tenant_id,
                                   const char *customer_id, const struct list_params *page)
{
	const char *key, *id;
	char *text = NULL;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	int rc = db_query_found(&text, app->db, &list_stmt, DB_PARAMS(params), "customer");
	return rc == CS_OK ? invitation_links_resolve_text(out, text, app) : rc;
}

int portal_access_invite(char **out, struct app *app, const char *tenant_id,
                         const char *customer_id, const json_t *body, const char *created_by)
{
	char *body_text = json_dumps(body, JSON_COMPACT), *text = NULL;
	int rc;

	*out = NULL;
	if (!body_text)
		return CS_ENOMEM;
	const char *params[] = {tenant_id, customer_id, body_text, DB_JSON, created_by};
	rc = write_with_link(&text, app, &create_stmt, DB_PARAMS(params), NULL);
	free(body_text);
	return rc == CS_OK ? invitation_links_resolve_text(out, text, app) : rc;
}

int portal_access_invitation_get(char **out, struct app *app, const char *tenant_id,
                                 const char *invitation_id)
{
	const char *params[] = {tenant_id, invitation_id};
	char *text = NULL;
	int rc = db_query_found(&text, app->db, &get_stmt, DB_PARAMS(params), "invitation");

	return rc == CS_OK ? invitation_links_resolve_text(out, text, app) : rc;
}

int portal_access_resend(char **out, struct app *app, const char *tenant_id,
                         const char *invitation_id)
{
	const char *params[] = {tenant_id, invitation_id, DB_JSON};
	char *text = NULL;
	int rc = write_with_link(&text, app, &resend_stmt, DB_PARAMS(params), invitation_id);

	return rc == CS_OK ? invitation_links_resolve_text(out, text, app) : rc;
}

int portal_access_revoke(struct app *app, const char *tenant_id, const char *invitation_id)
{
	const char *params[] = {tenant_id, invitation_id};
	char *text = NULL;
	int rc = db_query_text(&text, app->db, &revoke_stmt, DB_PARAMS(params));

	free(text);
	return rc;
}
