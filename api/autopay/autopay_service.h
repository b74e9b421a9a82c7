/*
 * Autopay for the portal (API.md rule 19): the selected account's enrolment, its method and the
 * preview of the next charges. The rules (a live method of the account, switching off keeps the
 * method, changing it never switches autopay on) are the SQL functions' of
 * db/migrations/0021_autopay.sql; `now` comes from the autopay clock.
 */
#ifndef CURBSIDE_AUTOPAY_SERVICE_H
#define CURBSIDE_AUTOPAY_SERVICE_H

#include <jansson.h>

#include "app.h"

/* The account's autopay object with its next charges; *out (caller frees) is its JSON. */
int autopay_get(char **out, struct app *app, const char *tenant_id,
                const char *customer_id) CS_MUST_CHECK;

/*
 * Switch autopay on or off and choose its method from a validated body ({enabled,
 * payment_method_id?}); *out (caller frees) is the autopay object afterwards. 422
 * payment_method_required / invalid_reference as the SQL raises them.
 */
int autopay_put(char **out, struct app *app, const char *tenant_id, const char *customer_id,
                const json_t *body) CS_MUST_CHECK;

#endif
