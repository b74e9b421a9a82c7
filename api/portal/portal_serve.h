/*
 * The shapes a /v1/portal/ handler shares with its neighbours: one page of the selected account's
 * objects, one object of the account by the id in the path, one document of the account as a
 * PDF download. Each replies itself and returns CS_OK, or returns the error code the dispatcher
 * answers with (a malformed id is simply not found).
 */
#ifndef CURBSIDE_PORTAL_SERVE_H
#define CURBSIDE_PORTAL_SERVE_H

#include "db/pool.h"
#include "http/params.h"
#include "http/route.h"
#include "portal_documents/portal_documents_service.h"

/* A list of the account that takes paging only (newest date first: its cursor key is a date). */
typedef int (*portal_account_list_fn)(char **out, struct db_pool *db, const char *tenant_id,
                                      const char *customer_id, const struct list_params *page);

/* One object of the account by id. */
typedef int (*portal_account_read_fn)(char **out, struct db_pool *db, const char *tenant_id,
                                      const char *customer_id, const char *id);

/* One document of the account by id, rendered; `public_url` is CURBSIDE_PUBLIC_URL (links). */
typedef int (*portal_document_fn)(struct portal_document *out, struct db_pool *db,
                                  const char *tenant_id, const char *customer_id, const char *id,
                                  const char *public_url);

int portal_serve_list(struct http_ctx *ctx, portal_account_list_fn list) CS_MUST_CHECK;

/* `what` names the object in the problem of a malformed id ("invoice"). */
int portal_serve_read(struct http_ctx *ctx, const char *what,
                      portal_account_read_fn read) CS_MUST_CHECK;

int portal_serve_document(struct http_ctx *ctx, const char *what,
                          portal_document_fn produce) CS_MUST_CHECK;

#endif
