/*
 * The selected account's saved payment methods (API.md rule 18): list, add from a processor
 * token, remove, make default. Every statement is scoped by the tenant AND the account of the
 * caller's session; the rules (first is default, one default, the autopay method stays while
 * autopay is on) are the SQL functions' of db/migrations/0016.
 */
#ifndef CURBSIDE_PAYMENT_METHODS_SERVICE_H
#define CURBSIDE_PAYMENT_METHODS_SERVICE_H

#include <stdbool.h>

#include "app.h"
#include "http/auth.h"

/* The account's live methods, default first then newest; *out (caller frees) is {items}. */
int payment_methods_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id) CS_MUST_CHECK;

/*
 * Save the method the processor makes of `token` for the account and portal user of `who` (the
 * processor is asked with no database connection held, so a slow processor never holds the
 * pool). CS_ETHROTTLED (429 too_many_payment_methods, nothing written) past the card-testing
 * limit. *out (caller frees) is the method's JSON.
 */
int payment_methods_add(char **out, struct app *app, const struct principal *who, const char *token,
                        bool make_default) CS_MUST_CHECK;

/* Remove (soft-delete) a live method; 404 when there is none, 409 while autopay charges it. */
int payment_methods_remove(struct db_pool *db, const char *tenant_id, const char *customer_id,
                           const char *id) CS_MUST_CHECK;

/* Make a live method the default; *out (caller frees) is its JSON. */
int payment_methods_set_default(char **out, struct db_pool *db, const char *tenant_id,
                                const char *customer_id, const char *id) CS_MUST_CHECK;

#endif
