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

struct pdf_doc;

/* Each renders `doc` (borrowed) into *out (malloc'd, caller frees), *len bytes. */
int portal_documents_invoice_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;
int portal_documents_order_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;
int portal_documents_payment_pdf(unsigned char **out, size_t *len, const json_t *doc) CS_MUST_CHECK;

/* The hauler's block, `title` and the customer's block of a document {hauler, customer, ...}
 * (statements share them). */
int portal_documents_head(struct pdf_doc *pdf, const json_t *doc, const char *title) CS_MUST_CHECK;

/* Open a document whose pages carry the hauler's name as their footer. */
int portal_documents_open(struct pdf_doc **pdf, const json_t *doc, const char *title) CS_MUST_CHECK;

/* `cents` in the document's (hauler's) currency, "$1,234.56", into `out` (`cap` >= 48). */
void portal_documents_money(char *out, size_t cap, const json_t *doc, json_int_t cents);

/* "2026-11-24" as "Nov 24, 2026" into `out` (`cap` >= 32). */
void portal_documents_day(char *out, size_t cap, const char *iso);

#endif
