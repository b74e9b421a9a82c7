/*
 * A small document builder over libharu for invoices and receipts: US Letter pages, DejaVu Sans
 * embedded (pdf/pdf_fonts.h), lines of text that wrap, label/value fields, tables whose header
 * repeats on every page they run onto, and "Page i of n" with a footer on every page. Text is
 * UTF-8 and prints in full, in any script the fonts have (pdf/pdf_face.h). The document is
 * rendered in memory.
 *
 * One document belongs to one thread. Every drawing call returns CS_OK or CS_EINTERNAL (libharu
 * failed; the document is then unusable: free it).
 */
#ifndef CURBSIDE_PDF_DOC_H
#define CURBSIDE_PDF_DOC_H

#include <stddef.h>

#include "core/error.h"

struct pdf_doc;

/* Run a drawing call into the caller's `rc` and jump to its `out` label when it failed. */
#define PDF_TRY(expr)                                                                              \
	do {                                                                                       \
		rc = (expr);                                                                       \
		if (rc != CS_OK)                                                                   \
			goto out;                                                                  \
	} while (0)

enum pdf_style {
	PDF_TITLE,   /* large bold */
	PDF_HEADING, /* bold, a little larger than the body */
	PDF_BODY,
	PDF_BOLD,
	PDF_SMALL, /* muted and small: notes, footers */
};

enum pdf_align { PDF_LEFT, PDF_RIGHT };

struct pdf_column {
	const char *title;
	float share; /* its share of the text width (shares add up to 1); 0: sized for its content
	              * (pdf_doc_table_sized) */
	enum pdf_align align;
};

/* A new document with its first page; `footer` (copied, may be NULL) is printed at the bottom
 * left of every page. *out is freed with pdf_doc_free. */
int pdf_doc_new(struct pdf_doc **out, const char *title, const char *footer) CS_MUST_CHECK;

void pdf_doc_free(struct pdf_doc *doc);

/* Text across the full width, wrapped at word boundaries. */
int pdf_doc_text(struct pdf_doc *doc, enum pdf_style style, const char *text) CS_MUST_CHECK;

/* Text beside a label ("Due date   2026-12-01"); `value` wraps, NULL or "" prints nothing at
 * all (the label is left out too). */
int pdf_doc_field(struct pdf_doc *doc, const char *label, const char *value) CS_MUST_CHECK;

/* Vertical space in points. */
int pdf_doc_gap(struct pdf_doc *doc, float points) CS_MUST_CHECK;

/* A horizontal rule across the text width. */
int pdf_doc_rule(struct pdf_doc *doc) CS_MUST_CHECK;

/* Start a table of `n` (at most 16) columns (the array must outlive the table), each as wide
 * as its share of the text width, and draw its header. */
int pdf_doc_table(struct pdf_doc *doc, const struct pdf_column *cols, size_t n) CS_MUST_CHECK;

/* The width in points of `text` in `style`: what a column needs to show it on one line. */
float pdf_doc_width(struct pdf_doc *doc, enum pdf_style style, const char *text);

/* pdf_doc_table with columns sized for their content: a column of share 0 is as wide as
 * `content[i]` (the widest of its cells, pdf_doc_width in PDF_BODY) or its title, whichever is
 * wider; the others share the rest by their shares. Sized columns never take more than three
 * quarters of the width; past that they shrink and their cells wrap. */
int pdf_doc_table_sized(struct pdf_doc *doc, const struct pdf_column *cols, size_t n,
                        const float *content) CS_MUST_CHECK;

/* One row of the current table: `cells[n]` (NULL prints nothing). Every cell wraps in full: at
 * spaces, and inside a word longer than its column. A row that does not fit in what is left of
 * the page goes to a new page, under the table's header drawn again; a row taller than a page
 * runs on across pages, the header above each part. */
int pdf_doc_row(struct pdf_doc *doc, const char *const *cells) CS_MUST_CHECK;

/* End the current table. */
void pdf_doc_table_end(struct pdf_doc *doc);

/* A line of totals under the last table: `value` right-aligned in its last column, `label`
 * right-aligned just left of it ("Total   $1,234.56" under Amount). */
int pdf_doc_total(struct pdf_doc *doc, enum pdf_style style, const char *label,
                  const char *value) CS_MUST_CHECK;

/* `text` (a URL) as a QR code `size` points square at the left margin. CS_EINVALID when it is
 * too long for a QR code. */
int pdf_doc_qr(struct pdf_doc *doc, const char *text, float size) CS_MUST_CHECK;

/* The height in points pdf_doc_field takes for `value`. */
float pdf_doc_field_height(struct pdf_doc *doc, const char *value);

/* Start a part at the foot of the page, `height` points of fields tall (on a new page when this
 * one has no room left): a dashed line to cut along, `note` under it ("Please return this
 * part..."). Draw the part's fields next; it ends no table. */
int pdf_doc_foot(struct pdf_doc *doc, float height, const char *note) CS_MUST_CHECK;

/* The image of `len` bytes (a PNG when `png`, else a JPEG) at the left margin, scaled to fit
 * `max_w` x `max_h` points with its proportions kept. An image libharu cannot load is left
 * out (the document is still drawn): a logo is checked when it is uploaded. */
int pdf_doc_image(struct pdf_doc *doc, const unsigned char *data, size_t len, int png, float max_w,
                  float max_h) CS_MUST_CHECK;

/* The brand colour `hex` ("#1F6F43") on the title, headings and rules drawn from now on; the
 * headings stay black when it is too pale to read on white. NULL or malformed: none. */
void pdf_doc_accent(struct pdf_doc *doc, const char *hex);

/* A label printed before "Page i of n" on every page ("Invoice A-1"); copied. */
int pdf_doc_page_label(struct pdf_doc *doc, const char *label) CS_MUST_CHECK;

/* Number the pages and render the PDF into *out (malloc'd, caller frees), *len bytes. The
 * document cannot be drawn on afterwards. */
int pdf_doc_render(unsigned char **out, size_t *len, struct pdf_doc *doc) CS_MUST_CHECK;

#endif
