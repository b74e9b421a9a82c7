#include "portal_access/invitation_links.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/hash.h"
#include "core/link_token.h"
#include "core/random.h"
#include "core/uuid.h"

/* The token of (id, nonce) under `secret`; *matches when its hash is `want_hash` (always when
 * want_hash is NULL). No secret: no match. */
static int derive(char token[LINK_TOKEN_SIZE], const char *secret, const char *id,
                  const char *nonce, const char *want_hash, bool *matches)
{
	char hash[HASH_SHA256_HEX_SIZE];
	int rc;

	*matches = false;
	if (!secret)
		return CS_OK;
	if ((rc = link_token_derive(token, secret, strlen(secret), INVITATION_LINK_PURPOSE, id,
	                            nonce)) != CS_OK)
		return rc;
	if ((rc = hash_sha256_hex(hash, token, strlen(token))) != CS_OK)
		return rc;
	*matches = !want_hash || hash_equal_ct(hash, strlen(hash), want_hash, strlen(want_hash));
	return CS_OK;
}

int invitation_link_new(json_t **out, const struct app *app, const char *id)
{
	char uuid[UUID_TEXT_SIZE], nonce[RANDOM_TOKEN_SIZE], token[LINK_TOKEN_SIZE],
	        hash[HASH_SHA256_HEX_SIZE];
	bool ok;
	int rc;

	*out = NULL;
	if (!id && (rc = random_uuid(uuid)) != CS_OK)
		return rc;
	if (!id)
		id = uuid;
	if ((rc = random_token(nonce)) != CS_OK ||
	    (rc = derive(token, app->keys.secret, id, nonce, NULL, &ok)) != CS_OK ||
	    (rc = hash_sha256_hex(hash, token, strlen(token))) != CS_OK)
		return rc;
	*out = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "nonce", nonce, "token_hash", hash,
	                 "token", token);
	return *out ? CS_OK : CS_ENOMEM;
}

/* The URL of one placeholder, or JSON null when its token cannot be rebuilt. */
static int placeholder_url(json_t **out, const json_t *ph, const struct app *app)
{
	const char *slug = json_string_value(json_object_get(ph, "tenant"));
	const char *id = json_string_value(json_object_get(ph, "id"));
	const char *nonce = json_string_value(json_object_get(ph, "nonce"));
	const char *want = json_string_value(json_object_get(ph, "token_hash"));
	char token[LINK_TOKEN_SIZE], *url = NULL;
	bool ok = false;
	int rc;

	*out = NULL;
	if (!slug || !id || !nonce || !want)
		return CS_EINTERNAL;
	/* During a key rotation, links sent under the previous key still open. */
	if ((rc = derive(token, app->keys.secret, id, nonce, want, &ok)) != CS_OK)
		return rc;
	if (!ok && (rc = derive(token, app->keys.previous_secret, id, nonce, want, &ok)) != CS_OK)
		return rc;
	if (!ok) {
		*out = json_null();
		return CS_OK;
	}
	if ((rc = link_token_url(&url, app->cfg.public_url, slug, "invitations", token)) != CS_OK)
		return rc;
	*out = json_string(url);
	free(url);
	return *out ? CS_OK : CS_ENOMEM;
}

static bool is_placeholder(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, "nonce") && json_object_get(v, "token_hash");
}

int invitation_links_resolve(json_t *doc, const struct app *app)
{
	const char *key;
	json_t *value, *url;
	size_t i;
	int rc;

	if (json_is_array(doc)) {
		json_array_foreach(doc, i, value) if ((rc = invitation_links_resolve(value, app)) !=
		                                      CS_OK) return rc;
		return CS_OK;
	}
	if (!json_is_object(doc))
		return CS_OK;
	json_object_foreach(doc, key, value)
	{
		if (!strcmp(key, "url") && is_placeholder(value)) {
			if ((rc = placeholder_url(&url, value, app)) != CS_OK)
				return rc;
			/* Replacing the current member's value keeps the iteration valid. */
			json_object_set_new(doc, key, url);
		} else if ((rc = invitation_links_resolve(value, app)) != CS_OK) {
			return rc;
		}
	}
	return CS_OK;
}

int invitation_links_resolve_text(char **out, char *text, const struct app *app)
{
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	int rc;

	*out = NULL;
	free(text);
	if (!doc)
		return CS_EINTERNAL;
	if ((rc = invitation_links_resolve(doc, app)) == CS_OK &&
	    !(*out = json_dumps(doc, JSON_COMPACT)))
		rc = CS_ENOMEM;
	json_decref(doc);
	return rc;
}
