#include "http/resource.h"

#include <stdio.h>

#include "http/env.h"
#include "http/params.h"
#include "http/reply.h"

int http_serve_customer_list(struct http_ctx *ctx, enum cursor_key key, resource_list_fn list)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	http_list_params(&page, &errs, ctx, key, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = list(&json, ctx->env->db, ctx->principal.tenant_id, customer_id, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

int http_serve_read(struct http_ctx *ctx, const struct resource_kind *kind, resource_read_fn read)
{
	const char *id = http_path_id(ctx, "id", kind->what);
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = read(&json, ctx->env->db, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

void http_set_location(struct http_ctx *ctx, const char *path_prefix, const char *json)
{
	char location[160];
	json_t *doc = json_loads(json, 0, NULL);
	const char *id = json_string_value(json_object_get(doc, "id"));

	if (id) {
		snprintf(location, sizeof(location), "%s%s", path_prefix, id);
		http_set_header(ctx, "Location", location);
	}
	json_decref(doc);
}

int http_reply_created(struct http_ctx *ctx, const char *path_prefix, char *json)
{
	http_set_location(ctx, path_prefix, json);
	return http_reply_json_text(ctx, 201, json);
}

int http_serve_create(struct http_ctx *ctx, const struct resource_kind *kind,
                      const struct field_spec *spec, resource_write_fn create)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	json_t *body = NULL;
	char *json = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, spec, false))
		return CS_OK;
	int rc = create(&json, ctx->env->db, ctx->principal.tenant_id, customer_id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_created(ctx, kind->path_prefix, json) : rc;
}

int http_serve_update(struct http_ctx *ctx, const struct resource_kind *kind,
                      const struct field_spec *spec, resource_write_fn update)
{
	const char *id = http_path_id(ctx, "id", kind->what);
	json_t *body = NULL;
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, spec, true))
		return CS_OK;
	int rc = update(&json, ctx->env->db, ctx->principal.tenant_id, id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}
