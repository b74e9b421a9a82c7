#include "pdf/pdf_doc.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_text.h"

/* US Letter, in points; the bottom margin leaves room for the footer line. */
#define PAGE_W     612.0f
#define PAGE_H     792.0f
#define MARGIN     54.0f
#define BOTTOM     72.0f
#define TEXT_W     (PAGE_W - 2 * MARGIN)
#define LABEL_W    110.0f
#define CELL_PAD   4.0f
#define CELL_LINES 3
#define MAX_PAGES  10000
#define ELLIPSIS   "..."

struct pdf_doc {
	HPDF_Doc pdf;
	HPDF_Font regular, bold;
	HPDF_Page *pages;
	size_t npages, cap;
	float y;      /* the baseline area top: the next line is drawn below it */
	char *footer; /* WinAnsi */
	const struct pdf_column *cols;
	size_t ncols;
	int failed;
};

struct style_spec {
	float size;
	int bold;
	float gray;
};

static const struct style_spec styles[] = {
        [PDF_TITLE] = {20.0f, 1, 0.0f}, [PDF_HEADING] = {12.0f, 1, 0.0f},
        [PDF_BODY] = {10.0f, 0, 0.0f},  [PDF_BOLD] = {10.0f, 1, 0.0f},
        [PDF_SMALL] = {8.0f, 0, 0.35f},
};

static float line_height(enum pdf_style s)
{
	return styles[s].size * 1.3f;
}

/* libharu reports errors here as well as by return value; the document remembers the first. */
static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdf_doc *doc = user_data;

	(void)detail_no;
	if (!doc->failed)
		doc->failed = (int)error_no ? (int)error_no : 1;
}

static int status(const struct pdf_doc *doc)
{
	return doc->failed ? cs_error_set(CS_EINTERNAL, NULL, "The document could not be drawn.")
	                   : CS_OK;
}

static HPDF_Page page(const struct pdf_doc *doc)
{
	return doc->pages[doc->npages - 1];
}

static void use_style(struct pdf_doc *doc, enum pdf_style s)
{
	HPDF_Page p = page(doc);

	HPDF_Page_SetFontAndSize(p, styles[s].bold ? doc->bold : doc->regular, styles[s].size);
	HPDF_Page_SetGrayFill(p, styles[s].gray);
}

static int add_page(struct pdf_doc *doc)
{
	if (doc->npages == doc->cap) {
		size_t cap = doc->cap ? doc->cap * 2 : 8;
		HPDF_Page *pages =
		        cap > MAX_PAGES ? NULL : realloc(doc->pages, cap * sizeof(*pages));

		if (!pages)
			return cs_error_set(CS_ENOMEM, NULL, "The document is too large.");
		doc->pages = pages;
		doc->cap = cap;
	}
	HPDF_Page p = HPDF_AddPage(doc->pdf);

	if (!p)
		return cs_error_set(CS_EINTERNAL, NULL, "The document could not be drawn.");
	HPDF_Page_SetWidth(p, PAGE_W);
	HPDF_Page_SetHeight(p, PAGE_H);
	doc->pages[doc->npages++] = p;
	doc->y = PAGE_H - MARGIN;
	return status(doc);
}

/* `text` as WinAnsi in a new buffer (never longer than the UTF-8). */
static char *winansi(const char *text)
{
	size_t cap = strlen(text ? text : "") + 1;
	char *out = malloc(cap);

	if (out)
		pdf_text_winansi(out, cap, text);
	return out;
}

static void draw(struct pdf_doc *doc, float x, float y, const char *text)
{
	HPDF_Page p = page(doc);

	HPDF_Page_BeginText(p);
	HPDF_Page_TextOut(p, x, y, text);
	HPDF_Page_EndText(p);
}

/*
 * The bytes of `s` that fit in `width` in the current font: up to a word boundary when `wrap`
 * and one exists, else as many characters as fit (at least one, so every loop advances).
 */
static size_t fit(struct pdf_doc *doc, const char *s, float width)
{
	HPDF_UINT n = HPDF_Page_MeasureText(page(doc), s, width, HPDF_TRUE, NULL);

	if (!n)
		n = HPDF_Page_MeasureText(page(doc), s, width, HPDF_FALSE, NULL);
	return n ? n : (*s ? 1 : 0);
}

/* Make room for `h` points, on a new page when needed (under the table header when a table is
 * open). */
static int need(struct pdf_doc *doc, float h);

static int wrapped(struct pdf_doc *doc, enum pdf_style style, float x, float width,
                   const char *text)
{
	char *s = winansi(text), *line;
	int rc = CS_OK;

	if (!s)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	for (char *rest = s; *rest && rc == CS_OK;) {
		use_style(doc, style);
		size_t n = fit(doc, rest, width);
		char keep = rest[n];

		rc = need(doc, line_height(style));
		if (rc != CS_OK)
			break;
		use_style(doc, style);
		line = rest;
		rest[n] = '\0';
		doc->y -= line_height(style);
		draw(doc, x, doc->y + line_height(style) * 0.25f, line);
		rest[n] = keep;
		rest += n;
		while (*rest == ' ')
			rest++;
		rc = status(doc);
	}
	free(s);
	return rc;
}

int pdf_doc_new(struct pdf_doc **out, const char *title, const char *footer)
{
	struct pdf_doc *doc = calloc(1, sizeof(*doc));
	int rc = CS_ENOMEM;

	*out = NULL;
	if (!doc)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	doc->footer = winansi(footer ? footer : "");
	doc->pdf = HPDF_New(on_error, doc);
	if (!doc->footer || !doc->pdf)
		goto out;
	HPDF_SetCompressionMode(doc->pdf, HPDF_COMP_ALL);
	doc->regular = HPDF_GetFont(doc->pdf, "Helvetica", "WinAnsiEncoding");
	doc->bold = HPDF_GetFont(doc->pdf, "Helvetica-Bold", "WinAnsiEncoding");
	if (title) {
		char *t = winansi(title);

		if (t)
			HPDF_SetInfoAttr(doc->pdf, HPDF_INFO_TITLE, t);
		free(t);
	}
	rc = status(doc);
	if (rc == CS_OK)
		rc = add_page(doc);
out:
	if (rc != CS_OK) {
		pdf_doc_free(doc);
		return rc == CS_ENOMEM ? cs_error_set(CS_ENOMEM, NULL, "Out of memory.") : rc;
	}
	*out = doc;
	return CS_OK;
}

void pdf_doc_free(struct pdf_doc *doc)
{
	if (!doc)
		return;
	if (doc->pdf)
		HPDF_Free(doc->pdf);
	free(doc->pages);
	free(doc->footer);
	free(doc);
}

int pdf_doc_text(struct pdf_doc *doc, enum pdf_style style, const char *text)
{
	return wrapped(doc, style, MARGIN, TEXT_W, text);
}

int pdf_doc_field(struct pdf_doc *doc, const char *label, const char *value)
{
	if (!value || !*value)
		return CS_OK;
	int rc = need(doc, line_height(PDF_BODY));
	char *l = rc == CS_OK ? winansi(label) : NULL;

	if (rc != CS_OK)
		return rc;
	if (!l)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	/* The label on the value's first line, drawn first: the value may wrap onto a new page. */
	use_style(doc, PDF_BOLD);
	draw(doc, MARGIN, doc->y - line_height(PDF_BODY) * 0.75f, l);
	free(l);
	return wrapped(doc, PDF_BODY, MARGIN + LABEL_W, TEXT_W - LABEL_W, value);
}

int pdf_doc_gap(struct pdf_doc *doc, float points)
{
	doc->y -= points;
	if (doc->y < BOTTOM)
		doc->y = BOTTOM;
	return CS_OK;
}

static void rule_at(struct pdf_doc *doc, float y, float gray)
{
	HPDF_Page p = page(doc);

	HPDF_Page_SetGrayStroke(p, gray);
	HPDF_Page_SetLineWidth(p, 0.5f);
	HPDF_Page_MoveTo(p, MARGIN, y);
	HPDF_Page_LineTo(p, PAGE_W - MARGIN, y);
	HPDF_Page_Stroke(p);
}

int pdf_doc_rule(struct pdf_doc *doc)
{
	int rc = need(doc, 6.0f);

	if (rc != CS_OK)
		return rc;
	doc->y -= 3.0f;
	rule_at(doc, doc->y, 0.6f);
	doc->y -= 3.0f;
	return status(doc);
}

/* The left edge and width of column `i`. */
static void column_box(const struct pdf_doc *doc, size_t i, float *x, float *w)
{
	float left = MARGIN;

	for (size_t k = 0; k < i; k++)
		left += doc->cols[k].share * TEXT_W;
	*x = left;
	*w = doc->cols[i].share * TEXT_W;
}

static void cell_line(struct pdf_doc *doc, size_t col, float y, const char *text)
{
	float x, w;

	column_box(doc, col, &x, &w);
	if (doc->cols[col].align == PDF_RIGHT)
		x = x + w - CELL_PAD - HPDF_Page_TextWidth(page(doc), text);
	else
		x += CELL_PAD;
	draw(doc, x, y, text);
}

static int table_header(struct pdf_doc *doc)
{
	float lh = line_height(PDF_BOLD) + 4.0f;

	use_style(doc, PDF_BOLD);
	for (size_t i = 0; i < doc->ncols; i++) {
		char *t = winansi(doc->cols[i].title);

		if (!t)
			return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		cell_line(doc, i, doc->y - lh + 6.0f, t);
		free(t);
	}
	doc->y -= lh;
	rule_at(doc, doc->y + 2.0f, 0.3f);
	return status(doc);
}

static int need(struct pdf_doc *doc, float h)
{
	if (doc->y - h >= BOTTOM)
		return CS_OK;
	int rc = add_page(doc);

	if (rc == CS_OK && doc->cols)
		rc = table_header(doc);
	return rc;
}

int pdf_doc_table(struct pdf_doc *doc, const struct pdf_column *cols, size_t n)
{
	doc->cols = NULL;
	/* The header and at least one row together, never a header alone at a page's foot. */
	int rc = need(doc, 3 * line_height(PDF_BODY) + 4.0f);

	if (rc != CS_OK)
		return rc;
	doc->cols = cols;
	doc->ncols = n;
	return table_header(doc);
}

/* Split `s` (WinAnsi) into at most CELL_LINES new strings of `width`, the last one cut with
 * "..." when text is left over. Returns the number of lines, or -1 when out of memory. */
static int cell_lines(struct pdf_doc *doc, const char *s, float width, char *lines[CELL_LINES])
{
	int n = 0;

	while (*s && n < CELL_LINES) {
		size_t len = fit(doc, s, width);
		const char *next = s + len;

		while (*next == ' ')
			next++;
		if (n == CELL_LINES - 1 && *next) {
			/* The last line: as much as fits beside the ellipsis. */
			float room = width - HPDF_Page_TextWidth(page(doc), ELLIPSIS);
			size_t cut = room > 0 ? HPDF_Page_MeasureText(page(doc), s, room,
			                                              HPDF_FALSE, NULL)
			                      : 0;

			lines[n] = malloc(cut + sizeof(ELLIPSIS));
			if (!lines[n])
				return -1;
			memcpy(lines[n], s, cut);
			memcpy(lines[n] + cut, ELLIPSIS, sizeof(ELLIPSIS));
			return n + 1;
		}
		lines[n] = strndup(s, len);
		if (!lines[n])
			return -1;
		n++;
		s = next;
	}
	return n;
}

int pdf_doc_row(struct pdf_doc *doc, const char *const *cells)
{
	char *lines[16][CELL_LINES] = {{0}};
	int rows = 1, rc = CS_OK;
	float lh = line_height(PDF_BODY);

	if (!doc->cols || doc->ncols > 16)
		return cs_error_set(CS_EINTERNAL, NULL, "No table is open.");
	use_style(doc, PDF_BODY);
	for (size_t i = 0; i < doc->ncols; i++) {
		float x, w;
		char *text = winansi(cells[i]);
		int n = -1;

		if (text) {
			column_box(doc, i, &x, &w);
			n = cell_lines(doc, text, w - 2 * CELL_PAD, lines[i]);
			free(text);
		}
		if (n < 0) {
			rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
			goto out;
		}
		if (n > rows)
			rows = n;
	}
	rc = need(doc, (float)rows * lh + 2.0f);
	if (rc != CS_OK)
		goto out;
	use_style(doc, PDF_BODY);
	for (size_t i = 0; i < doc->ncols; i++)
		for (int k = 0; k < CELL_LINES && lines[i][k]; k++)
			cell_line(doc, i, doc->y - (float)(k + 1) * lh + lh * 0.25f, lines[i][k]);
	doc->y -= (float)rows * lh + 2.0f;
	rc = status(doc);
out:
	for (size_t i = 0; i < doc->ncols; i++)
		for (int k = 0; k < CELL_LINES; k++)
			free(lines[i][k]);
	return rc;
}

void pdf_doc_table_end(struct pdf_doc *doc)
{
	doc->cols = NULL;
	doc->ncols = 0;
}

static void number_pages(struct pdf_doc *doc)
{
	size_t keep = doc->npages;

	for (size_t i = 0; i < keep; i++) {
		char label[64];
		HPDF_Page p = doc->pages[i];

		snprintf(label, sizeof(label), "Page %zu of %zu", i + 1, keep);
		HPDF_Page_SetFontAndSize(p, doc->regular, styles[PDF_SMALL].size);
		HPDF_Page_SetGrayFill(p, styles[PDF_SMALL].gray);
		HPDF_Page_BeginText(p);
		HPDF_Page_TextOut(p, MARGIN, MARGIN - 18.0f, doc->footer);
		HPDF_Page_TextOut(p, PAGE_W - MARGIN - HPDF_Page_TextWidth(p, label),
		                  MARGIN - 18.0f, label);
		HPDF_Page_EndText(p);
	}
}

int pdf_doc_render(unsigned char **out, size_t *len, struct pdf_doc *doc)
{
	unsigned char *buf = NULL;
	HPDF_UINT32 size;
	int rc;

	*out = NULL;
	*len = 0;
	doc->cols = NULL;
	number_pages(doc);
	HPDF_SaveToStream(doc->pdf);
	rc = status(doc);
	if (rc != CS_OK)
		return rc;
	size = HPDF_GetStreamSize(doc->pdf);
	buf = malloc(size ? size : 1);
	if (!buf)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	HPDF_ResetStream(doc->pdf);
	/* ReadFromStream answers HPDF_STREAM_EOF once it has read the last byte: that is success.
	 */
	HPDF_UINT32 got = size;
	HPDF_STATUS st = HPDF_ReadFromStream(doc->pdf, buf, &got);

	if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) {
		free(buf);
		return cs_error_set(CS_EINTERNAL, NULL, "The document could not be rendered.");
	}
	*out = buf;
	*len = size;
	return CS_OK;
}
