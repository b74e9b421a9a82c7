/*
 * Invitation links (API.md rule 3). A link's token is derived from the invitation's id and nonce
 * under the server key (core/link_token.h), so the URL can be shown to staff again; the database
 * keeps only the token's SHA-256. SQL answers a pending invitation's `url` as a placeholder object
 * {tenant, id, nonce, token_hash} (db/migrations/0010_invitations.sql) that these functions turn
 * into the portal URL.
 */
#ifndef CURBSIDE_PORTAL_ACCESS_INVITATION_LINKS_H
#define CURBSIDE_PORTAL_ACCESS_INVITATION_LINKS_H

#include <jansson.h>

#include "core/error.h"

struct app;

/* What the HMAC binds the token to, besides the row. */
#define INVITATION_LINK_PURPOSE "invitation"

/*
 * A fresh link for invitation `id` (NULL: a new random id): *out (caller decrefs) is
 * {id, nonce, token_hash, token}, what the SQL functions take as p_link.
 */
int invitation_link_new(json_t **out, const struct app *app, const char *id) CS_MUST_CHECK;

/*
 * Replace, anywhere in `doc`, a member "url" holding a link placeholder by the portal URL of its
 * token. A placeholder whose hash matches neither the current nor the previous key (the secret
 * was rotated twice since it was sent) becomes null: staff resend to get a new link.
 */
int invitation_links_resolve(json_t *doc, const struct app *app) CS_MUST_CHECK;

/* Parse the JSON text `text` (freed), resolve its links and serialise it into *out (caller
 * frees). */
int invitation_links_resolve_text(char **out, char *text, const struct app *app) CS_MUST_CHECK;

#endif
