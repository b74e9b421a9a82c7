/*
 * Demo data (`curbside seed-demo`): the demo hauler of db/seed/demo.sql, compiled in, and its
 * staff admin, loaded in one transaction. For development only: the login below is public.
 */
#ifndef CURBSIDE_SEED_DEMO_H
#define CURBSIDE_SEED_DEMO_H

#include <stdio.h>

#include "core/error.h"

/* The demo staff login that seed-demo creates (scripts/run prints it too). */
#define SEED_DEMO_SLUG     "demo"
#define SEED_DEMO_EMAIL    "admin@demo.example"
#define SEED_DEMO_PASSWORD "demo-admin-password"
/* A portal user of two demo accounts (a landlord's rentals): signs in, chooses, switches. */
#define SEED_DEMO_PORTAL_EMAIL    "accounts@lakeshore-rentals.example"
#define SEED_DEMO_PORTAL_PASSWORD "demo-portal-password"

/*
 * Load the demo hauler into the database at `url`. When tenant `demo` already exists nothing
 * changes and the answer is CS_OK too (re-running is safe). CS_ECONFLICT when the database has
 * not had every migration of this binary applied (run `curbside migrate` first); CS_EUNAVAILABLE
 * when it cannot be reached; CS_EDB when a statement fails (nothing is kept). What was done goes
 * to `out`, problems to `err`.
 */
int seed_demo(const char *url, FILE *out, FILE *err) CS_MUST_CHECK;

#endif
