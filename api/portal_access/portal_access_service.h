/*
 * The staff side of portal access (API.md rules 2 and 3): switching a customer's portal on or off
 * with its login email, the customer profile with its current invitation link, and invitations
 * (list, create, resend, revoke). Every function is scoped by the caller's tenant: another
 * tenant's customer or invitation is simply not found. The rules live in the SQL functions of
 * db/migrations/0010_invitations.sql; this module makes the link tokens (they need the server key)
 * and turns the link placeholders of the answers into URLs (invitation_links.h).
 */
#ifndef CURBSIDE_PORTAL_ACCESS_SERVICE_H
#define CURBSIDE_PORTAL_ACCESS_SERVICE_H

#include <jansson.h>

#include "core/error.h"
#include "http/params.h"

struct app;

/*
 * Save a customer's portal access from a validated body {enabled, login_email?}; `created_by`
 * names the caller ("staff:<id>"). *out (caller frees) is {customer, warnings}: the customer as
 * now stored with portal.invitation, and the email_used_by_other_customer warnings.
 */
int portal_access_set(char **out, struct app *app, const char *tenant_id, const char *customer_id,
                      const json_t *body, const char *created_by) CS_MUST_CHECK;

/* One customer as staff see it, with portal.invitation (the current link, or null). */
int portal_access_customer_get(char **out, struct app *app, const char *tenant_id,
                               const char *customer_id) CS_MUST_CHECK;

/*
 * Add portal.invitation to the customer document *json (JSON text, replaced: the caller frees the
 * new one), so every answer about one customer has the same shape as its read.
 */
int portal_access_attach_invitation(char **json, struct app *app,
                                    const char *tenant_id) CS_MUST_CHECK;

/* One page of a customer's invitations, newest first; *out is {items, next_cursor}. */
int portal_access_invitations_list(char **out, struct app *app, const char *tenant_id,
                                   const char *customer_id,
                                   const struct list_params *page) CS_MUST_CHECK;

/* Invite a person to the customer's portal from a validated body {first_name, email,
 * save_to_contact?}; *out is the invitation with its url. */
int portal_access_invite(char **out, struct app *app, const char *tenant_id,
                         const char *customer_id, const json_t *body,
                         const char *created_by) CS_MUST_CHECK;

/* One invitation with its url (while pending). */
int portal_access_invitation_get(char **out, struct app *app, const char *tenant_id,
                                 const char *invitation_id) CS_MUST_CHECK;

/* Resend an invitation with a new link (the old one dies); *out is the invitation. */
int portal_access_resend(char **out, struct app *app, const char *tenant_id,
                         const char *invitation_id) CS_MUST_CHECK;

/* Revoke a pending invitation. */
int portal_access_revoke(struct app *app, const char *tenant_id,
                         const char *invitation_id) CS_MUST_CHECK;

#endif
