#include "portal_credits/portal_credits_routes.h"

#include "portal/portal_serve.h"
#include "portal_credits/portal_credits_service.h"

static int list_credits(struct http_ctx *ctx)
{
	return portal_serve_list(ctx, portal_credits_list);
}

static const struct route portal_credits_routes[] = {
        {"GET", "/v1/portal/credits", AUTH_PORTAL_ACCOUNT, list_credits},
};

const struct route_table portal_credits_route_table =
        ROUTE_TABLE("portal_credits", portal_credits_routes);
