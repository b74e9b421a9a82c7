#include "system/system.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "embedded.h"
#include "http/env.h"
#include "http/metrics.h"
#include "http/reply.h"

/* The docs page: Redoc rendering the served spec, with every asset served locally. */
static const char docs_page[] =
        "<!DOCTYPE html>\n"
        "<html lang=\"en\">\n"
        "<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>API reference</title>\n"
        "<style>body { margin: 0; padding: 0; }</style>\n"
        "</head>\n"
        "<body>\n"
        "<redoc spec-url=\"/openapi.yaml\" hide-download-button=\"false\"></redoc>\n"
        "<script src=\"/docs/redoc.standalone.js\"></script>\n"
        "</body>\n"
        "</html>\n";

const struct embedded_file *embedded_asset(const char *name)
{
	for (size_t i = 0; i < embedded_assets_count; i++)
		if (strcmp(embedded_assets[i].name, name) == 0)
			return &embedded_assets[i];
	return NULL;
}

static int healthz(struct http_ctx *ctx)
{
	static const char body[] = "{\"status\":\"ok\"}";

	return http_reply_raw(ctx, 200, HTTP_JSON, body, sizeof(body) - 1);
}

static int readyz(struct http_ctx *ctx)
{
	static const char body[] = "{\"status\":\"ready\"}";

	if (!db_pool_ready(ctx->app->db)) {
		cs_error_set(CS_EUNAVAILABLE, "database_unavailable",
		             "The database cannot be reached.");
		cs_error_set_retry_after(5);
		return CS_EUNAVAILABLE;
	}
	return http_reply_raw(ctx, 200, HTTP_JSON, body, sizeof(body) - 1);
}

static int metrics(struct http_ctx *ctx)
{
	struct db_pool_stats pool;
	struct db_read_route_stats reads;
	size_t len = 0;

	db_pool_stats(ctx->app->db, &pool);
	if (ctx->env->reads)
		db_read_route_stats(ctx->env->reads, &reads);
	char *text = metrics_render(&len, &pool, ctx->env->reads ? &reads : NULL);
	if (!text)
		return CS_ENOMEM;
	int rc = http_reply_raw(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
	return rc;
}

static int serve_asset(struct http_ctx *ctx, const char *name, const char *content_type)
{
	const struct embedded_file *f = embedded_asset(name);

	if (!f)
		return cs_error_set(CS_ENOTFOUND, "not_found",
		                    "This asset is not part of the build.");
	http_set_header(ctx, "Cache-Control", "public, max-age=300");
	return http_reply_static(ctx, 200, content_type, f->data, f->size);
}

static int openapi(struct http_ctx *ctx)
{
	return serve_asset(ctx, "openapi.yaml", "application/yaml; charset=utf-8");
}

/*
 * The docs page's policy: everything from this origin only, never framed (X-Frame-Options for
 * browsers without frame-ancestors), and the three things Redoc 2.5.4 needs to render
 * (docs/decisions.md "HEAD and security headers"): inline styles, because its styled-components
 * and style-loader create <style> elements at run time (and the page has one); data: images, its
 * link icon; blob: workers, its search index.
 */
static const char docs_policy[] = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                  "img-src 'self' data:; worker-src blob:; base-uri 'none'; "
                                  "form-action 'none'; frame-ancestors 'none'";

static int docs(struct http_ctx *ctx)
{
	http_set_header(ctx, "Content-Security-Policy", docs_policy);
	http_set_header(ctx, "X-Frame-Options", "DENY");
	return http_reply_raw(ctx, 200, "text/html; charset=utf-8", docs_page,
	                      sizeof(docs_page) - 1);
}

static int docs_bundle(struct http_ctx *ctx)
{
	return serve_asset(ctx, "redoc.standalone.js", "text/javascript; charset=utf-8");
}

static const struct route system_routes[] = {
        {"GET", "/healthz", AUTH_PUBLIC, healthz},
        {"GET", "/readyz", AUTH_PUBLIC, readyz},
        {"GET", "/metrics", AUTH_PUBLIC, metrics},
        {"GET", "/openapi.yaml", AUTH_PUBLIC, openapi},
        {"GET", "/docs", AUTH_PUBLIC, docs},
        {"GET", "/docs/redoc.standalone.js", AUTH_PUBLIC, docs_bundle},
};

const struct route_table system_route_table = ROUTE_TABLE("system", system_routes);
