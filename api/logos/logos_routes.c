#include "logos/logos_routes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "http/reply.h"
#include "logos/logos_image.h"
#include "logos/logos_service.h"

/* "image/png" or "image/jpeg" (parameters allowed), as a static string; NULL for any other. */
static const char *image_type(const char *ct)
{
	static const char *const types[] = {"image/png", "image/jpeg"};

	for (size_t i = 0; ct && i < 2; i++) {
		size_t n = strlen(types[i]);

		if (!strncasecmp(ct, types[i], n) &&
		    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
			return types[i];
	}
	return NULL;
}

static int put_logo(struct http_ctx *ctx)
{
	const unsigned char *data = ctx->req->binary_body;
	size_t len = ctx->req->binary_body_length;
	const char *type = image_type(http_header(ctx, "Content-Type"));
	struct logo_image img;
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (!type)
		return http_reply_problem(ctx, 415, "unsupported_media_type",
		                          "Send the logo as image/png or image/jpeg.", NULL);
	if (len == 0)
		return http_reply_problem(ctx, 400, "body_required",
		                          "This request needs the image as its body.", NULL);
	if (len > LOGO_MAX_BYTES)
		return http_reply_problem(ctx, 413, "payload_too_large",
		                          "A logo may be at most 524288 bytes (512 KiB).", NULL);
	if ((rc = logos_image_check(&img, data, len, type)) != CS_OK)
		return rc;
	rc = logos_put(&json, ctx->app->db, ctx->principal.tenant_id, data, len, &img,
	               ctx->app->cfg.api_url);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int delete_logo(struct http_ctx *ctx)
{
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	rc = logos_delete(ctx->app->db, ctx->principal.tenant_id);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static int get_logo(struct http_ctx *ctx)
{
	struct logo_file logo;
	int rc = logos_read(&logo, ctx->app->db, http_path_param(ctx, "tenant"));

	if (rc != CS_OK)
		return rc;
	/* The URL logo_url gives changes with the image (?v=): a day in caches is safe. */
	http_set_header(ctx, "Cache-Control", "public, max-age=86400");
	http_set_header(ctx, "ETag", logo.etag);
	rc = http_reply_raw(ctx, 200, logo.content_type, (const char *)logo.data, logo.len);
	free(logo.data);
	return rc;
}

static const struct route logos_routes[] = {
        {"PUT", "/v1/admin/settings/logo", AUTH_STAFF, put_logo},
        {"DELETE", "/v1/admin/settings/logo", AUTH_STAFF, delete_logo},
        {"GET", "/v1/tenants/:tenant/logo", AUTH_PUBLIC, get_logo},
};

const struct route_table logos_route_table = ROUTE_TABLE("logos", logos_routes);
