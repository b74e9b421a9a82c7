/* Every module's route table, behind one Ulfius endpoint: routing, dispatch, the JSON 404/405. */
#ifndef CURBSIDE_HTTP_ROUTER_H
#define CURBSIDE_HTTP_ROUTER_H

#include <stdbool.h>
#include <ulfius.h>

#include "http/env.h"
#include "http/route.h"

/*
 * Register one Ulfius endpoint that runs the middleware and serves every route of `tables`
 * (`ntables` of them) with `env` (borrowed: it must outlive the instance). A route that fails its
 * check, or whose template overlaps another's of the same method, is logged and refuses the start
 * (CS_EINTERNAL).
 */
int router_register(struct _u_instance *instance, const struct http_env *env,
                    const struct route_table *const *tables, size_t ntables) CS_MUST_CHECK;

/* Free what router_register allocated. */
void router_release(void);

/*
 * Whether `route` may be registered: a route under /v1/portal/ shows or changes the selected
 * customer account, so it must require one (AUTH_PORTAL_ACCOUNT). CS_EINVALID otherwise.
 */
int router_check_route(const struct route *route) CS_MUST_CHECK;

#endif
