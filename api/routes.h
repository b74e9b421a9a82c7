/* Every module's route table, in registration order: what `serve` registers and `routes` lists. */
#ifndef CURBSIDE_ROUTES_H
#define CURBSIDE_ROUTES_H

#include <stddef.h>
#include <stdio.h>

#include "http/route.h"

/* The route tables (static, never freed); `*count` is how many. */
const struct route_table *const *app_route_tables(size_t *count);

/* Print one line per route, "METHOD PATH AUTH MODULE", for tests and operators. */
void app_print_routes(FILE *out);

#endif
