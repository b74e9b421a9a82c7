/*
 * The handler shapes every back-office resource shares: read one by the id in the path, create
 * one under the customer in the path, update one by the id in the path. A module supplies its
 * service functions and field specs; the shape (404 for a malformed id, body validation, 201 with
 * Location, the reply) is written once here.
 */
#ifndef CURBSIDE_HTTP_RESOURCE_H
#define CURBSIDE_HTTP_RESOURCE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/route.h"

/* Read resource `id` of the tenant; *out (caller frees) is its JSON. */
typedef int (*resource_read_fn)(char **out, struct db_pool *db, const char *tenant_id,
                                const char *id);

/* Write with a validated body: create under parent `id`, or change resource `id`. */
typedef int (*resource_write_fn)(char **out, struct db_pool *db, const char *tenant_id,
                                 const char *id, const json_t *body);

/* One page of the children of customer `customer_id`; *out is {items, next_cursor}. */
typedef int (*resource_list_fn)(char **out, struct db_pool *db, const char *tenant_id,
                                const char *customer_id, const struct list_params *page);

/* What a resource is called in sentences ("service location") and where it lives
 * ("/v1/admin/locations/", the Location of a created one is this plus its id). */
struct resource_kind {
	const char *what;
	const char *path_prefix;
};

/* GET /v1/admin/customers/:id/… (paging only, no filters) → 200 with one page. */
int http_serve_customer_list(struct http_ctx *ctx, enum cursor_key key, resource_list_fn list);

/* GET …/:id → 200 with the resource. */
int http_serve_read(struct http_ctx *ctx, const struct resource_kind *kind, resource_read_fn read);

/* POST /v1/admin/customers/:id/… → 201 with the created resource and its Location. */
int http_serve_create(struct http_ctx *ctx, const struct resource_kind *kind,
                      const struct field_spec *spec, resource_write_fn create);

/* PATCH …/:id (at least one member) → 200 with the resource as now stored. */
int http_serve_update(struct http_ctx *ctx, const struct resource_kind *kind,
                      const struct field_spec *spec, resource_write_fn update);

/* Set Location to `path_prefix` + the id member of the JSON document `json`. */
void http_set_location(struct http_ctx *ctx, const char *path_prefix, const char *json);

/* Reply 201 with `json` (taken) and its Location (http_set_location). */
int http_reply_created(struct http_ctx *ctx, const char *path_prefix, char *json);

#endif
