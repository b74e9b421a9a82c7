/*
 * Webhook endpoints of a tenant (issue 26, item 2) and the log of their deliveries: create (the
 * signing secret shown once), list, read, change, delete, rotate the secret with an overlap, and
 * the deliveries with their attempts, one of which may be queued again. Every statement is scoped
 * by the caller's tenant: another tenant's endpoint is not found.
 */
#ifndef CURBSIDE_WEBHOOKS_SERVICE_H
#define CURBSIDE_WEBHOOKS_SERVICE_H

#include <jansson.h>

#include "app.h"
#include "core/error.h"
#include "http/params.h"

/* The longest overlap of a rotation, in seconds (7 days), and the default (24 hours). */
#define WEBHOOKS_OVERLAP_MAX_SECONDS     604800
#define WEBHOOKS_OVERLAP_DEFAULT_SECONDS 86400

/* Filters of the delivery log (NULL for any), already checked. */
struct webhooks_delivery_filter {
	const char *status;
	const char *event_id;
};

/* One page of the tenant's endpoints, oldest first; *out (caller frees) is {items, next_cursor}. */
int webhooks_endpoints_list(char **out, struct app *app, const char *tenant_id,
                            const struct list_params *page) CS_MUST_CHECK;

/* One endpoint of the tenant; *out (caller frees). CS_ENOTFOUND otherwise. */
int webhooks_endpoint_get(char **out, struct app *app, const char *tenant_id,
                          const char *id) CS_MUST_CHECK;

/*
 * Register an endpoint from the checked `body` ({url, event_types, description}); *out (caller
 * frees) is the endpoint with its `secret`, the only time it is shown. CS_EINVALID with a
 * webhook_url_* code for a URL that may not be reached.
 */
int webhooks_endpoint_create(char **out, struct app *app, const char *tenant_id,
                             const json_t *body) CS_MUST_CHECK;

/* Change what `body` names ({url, event_types, description, enabled}); *out (caller frees). */
int webhooks_endpoint_update(char **out, struct app *app, const char *tenant_id, const char *id,
                             const json_t *body) CS_MUST_CHECK;

/* Delete an endpoint with its deliveries. CS_ENOTFOUND. */
int webhooks_endpoint_delete(struct app *app, const char *tenant_id, const char *id) CS_MUST_CHECK;

/*
 * A new secret for the endpoint; the current one keeps signing beside it for `overlap_seconds`.
 * *out (caller frees) is the endpoint with the new `secret`. CS_ENOTFOUND.
 */
int webhooks_endpoint_rotate(char **out, struct app *app, const char *tenant_id, const char *id,
                             long overlap_seconds) CS_MUST_CHECK;

/* One page of an endpoint's deliveries, newest first; *out (caller frees). CS_ENOTFOUND when
 * the tenant has no such endpoint. */
int webhooks_deliveries_list(char **out, struct app *app, const char *tenant_id,
                             const char *endpoint_id, const struct webhooks_delivery_filter *filter,
                             const struct list_params *page) CS_MUST_CHECK;

/* One delivery with its attempts; *out (caller frees). CS_ENOTFOUND. */
int webhooks_delivery_get(char **out, struct app *app, const char *tenant_id,
                          const char *endpoint_id, const char *delivery_id) CS_MUST_CHECK;

/* Queue a delivery again, due now; *out (caller frees) is the delivery. CS_ENOTFOUND. */
int webhooks_delivery_redeliver(char **out, struct app *app, const char *tenant_id,
                                const char *endpoint_id, const char *delivery_id) CS_MUST_CHECK;

#endif
