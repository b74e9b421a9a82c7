/*
 * The portal's documents as PDF, drawn from the JSON PostgreSQL builds for them
 * (db/migrations/0015_portal_documents.sql: {hauler, customer, invoice|order|payment}, the object
 * being its portal JSON). The hauler's name and contacts head every document and its money is in
 * the hauler's currency. Kept apart from the queries so that the mail worker can attach the same
 * invoice PDF.
 */
#ifndef CURBSIDE_PORTAL_DOCUMENTS_RENDER_H
#define CURBSIDE_PORTAL_DOCUMENTS_RENDER_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/* Each renders `doc` (borrowed) into *out (malloc'd, caller frees), *len bytes. */
int portal_documents_invoice_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;
int portal_documents_order_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;
int portal_documents_payment_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;

#endif
