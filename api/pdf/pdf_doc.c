#include "pdf/pdf_doc.h"

#include <hpdf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_face.h"
#include "pdf/pdf_qr.h"
#include "pdf/pdf_text.h"

/* US Letter, in points; the bottom margin leaves room for the footer line. */
#define PAGE_W    612.0f
#define PAGE_H    792.0f
#define MARGIN    54.0f
#define BOTTOM    72.0f
#define TEXT_W    (PAGE_W - 2 * MARGIN)
#define LABEL_W   140.0f
#define CELL_PAD  4.0f
#define MAX_COLS  16
#define MAX_PAGES 10000
/* Columns sized for their content leave at least this share of the width to the others. */
#define MIN_FREE_SHARE 0.25f

struct pdf_doc {
	HPDF_Doc pdf;
	struct pdf_faces *faces;
	HPDF_Page *pages;
	size_t npages, cap;
	float y;      /* the baseline area top: the next line is drawn below it */
	char *footer; /* clean UTF-8 */
	char *label;  /* clean UTF-8 before "Page i of n", or NULL */
	const struct pdf_column *cols;
	size_t ncols;
	float col_x[MAX_COLS], col_w[MAX_COLS];
	float sum_x, sum_w; /* the last column of the last table: where totals go */
	bool accented;      /* the brand colour below is set */
	bool accent_text;   /* and dark enough for headings on white */
	float accent[3];
	int failed;
};

struct style_spec {
	float size;
	int bold;
	float gray;
};

/* clang-format off */
static const struct style_spec styles[] = {
        [PDF_TITLE] = {20.0f, 1, 0.0f},
        [PDF_HEADING] = {12.0f, 1, 0.0f},
        [PDF_BODY] = {10.0f, 0, 0.0f},
        [PDF_BOLD] = {10.0f, 1, 0.0f},
        [PDF_SMALL] = {8.0f, 0, 0.35f},
};
/* clang-format on */

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

/* `text` as clean UTF-8 (pdf_text_clean) in a new buffer. */
static char *clean(const char *text)
{
	size_t cap = PDF_TEXT_CLEAN_CAP(strlen(text ? text : ""));
	char *out = malloc(cap);

	if (out)
		pdf_text_clean(out, cap, text);
	return out;
}

static float width(struct pdf_doc *doc, enum pdf_style style, const char *text, size_t len)
{
	return pdf_faces_width(doc->faces, styles[style].bold, styles[style].size, text, len);
}

static void draw_on(struct pdf_doc *doc, HPDF_Page p, enum pdf_style style, float x, float y,
                    const char *text, size_t len)
{
	float g = styles[style].gray, gray[3] = {g, g, g};
	bool heading = style == PDF_TITLE || style == PDF_HEADING;

	pdf_faces_draw(doc->faces, p, styles[style].bold, styles[style].size,
	               heading && doc->accent_text ? doc->accent : gray, x, y, text, len);
}

static void draw(struct pdf_doc *doc, enum pdf_style style, float x, float y, const char *text,
                 size_t len)
{
	draw_on(doc, page(doc), style, x, y, text, len);
}

/* One line of wrapped text: `len` bytes from `start`. */
struct span {
	size_t start, len;
};

struct lines {
	struct span *v;
	size_t n, cap;
};

static int push_line(struct lines *l, size_t start, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct span *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct span){start, len};
	return 0;
}

/*
 * Break the clean UTF-8 `s` into lines of at most `room` points in `style`: after the last
 * space that fits, or, for a word longer than the line, after its last character that fits (at
 * least one a line, so that every line advances). Spaces at a break are dropped. Appends to
 * `out`; -1 when out of memory.
 */
static int break_lines(struct pdf_doc *doc, enum pdf_style style, const char *s, float room,
                       struct lines *out)
{
	size_t i = 0;

	while (s[i] == ' ')
		i++;
	while (s[i]) {
		size_t start = i, brk = 0, end = i, n;
		float w = 0;
		uint32_t cp;

		while ((n = pdf_text_next(s + end, &cp))) {
			float cw = width(doc, style, s + end, n);

			/* The slack absorbs float rounding: a column sized for a text holds it. */
			if (w + cw > room + 0.01f && end > start)
				break;
			if (cp == ' ')
				brk = end;
			w += cw;
			end += n;
		}
		/* Stopped inside a word: back to the last space that fits, if any. */
		if (s[end] && s[end] != ' ' && brk > start)
			end = brk;
		size_t len = end;

		while (len > start && s[len - 1] == ' ')
			len--;
		if (push_line(out, start, len - start))
			return -1;
		i = end;
		while (s[i] == ' ')
			i++;
	}
	return 0;
}

/* Make room for `h` points, on a new page when needed (under the table header when a table is
 * open). */
static int need(struct pdf_doc *doc, float h);

static int wrapped(struct pdf_doc *doc, enum pdf_style style, float x, float room, const char *text)
{
	char *s = clean(text);
	struct lines lines = {0};
	int rc = CS_OK;
	float lh = line_height(style);

	if (!s || break_lines(doc, style, s, room, &lines)) {
		rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		goto out;
	}
	for (size_t k = 0; k < lines.n && rc == CS_OK; k++) {
		rc = need(doc, lh);
		if (rc != CS_OK)
			break;
		doc->y -= lh;
		draw(doc, style, x, doc->y + lh * 0.25f, s + lines.v[k].start, lines.v[k].len);
		rc = status(doc);
	}
out:
	free(lines.v);
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
	doc->footer = clean(footer ? footer : "");
	doc->pdf = HPDF_New(on_error, doc);
	if (!doc->footer || !doc->pdf)
		goto out;
	HPDF_SetCompressionMode(doc->pdf, HPDF_COMP_ALL);
	doc->faces = pdf_faces_load(doc->pdf);
	if (!doc->faces) {
		rc = cs_error_set(CS_EINTERNAL, NULL, "The document's fonts could not be loaded.");
		goto out;
	}
	if (title) {
		char *t = clean(title);

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
	pdf_faces_free(doc->faces);
	if (doc->pdf)
		HPDF_Free(doc->pdf);
	free(doc->pages);
	free(doc->footer);
	free(doc->label);
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
	char *l = rc == CS_OK ? clean(label) : NULL;

	if (rc != CS_OK)
		return rc;
	if (!l)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	/* The label on the value's first line, drawn first: the value may wrap onto a new page. */
	draw(doc, PDF_BOLD, MARGIN, doc->y - line_height(PDF_BODY) * 0.75f, l, strlen(l));
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

	if (doc->accented)
		HPDF_Page_SetRGBStroke(p, doc->accent[0], doc->accent[1], doc->accent[2]);
	else
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

static void cell_line(struct pdf_doc *doc, enum pdf_style style, size_t col, float y,
                      const char *text, size_t len)
{
	float x = doc->col_x[col];

	if (doc->cols[col].align == PDF_RIGHT)
		x += doc->col_w[col] - CELL_PAD - width(doc, style, text, len);
	else
		x += CELL_PAD;
	draw(doc, style, x, y, text, len);
}

static int table_header(struct pdf_doc *doc)
{
	float lh = line_height(PDF_BOLD) + 4.0f;

	for (size_t i = 0; i < doc->ncols; i++) {
		char *t = clean(doc->cols[i].title);

		if (!t)
			return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		cell_line(doc, PDF_BOLD, i, doc->y - lh + 6.0f, t, strlen(t));
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

float pdf_doc_width(struct pdf_doc *doc, enum pdf_style style, const char *text)
{
	char *s = clean(text);
	float w = s ? width(doc, style, s, strlen(s)) : 0;

	free(s);
	return w;
}

/*
 * Lay the columns out: a column of share 0 is as wide as content[i] or its title, whichever is
 * wider, with its padding; the others share what is left by their shares. When the sized
 * columns would leave less than MIN_FREE_SHARE of the width, they shrink in proportion (their
 * cells then wrap like any other).
 */
static void layout(struct pdf_doc *doc, const float *content)
{
	float fixed = 0, shares = 0, x = MARGIN;

	for (size_t i = 0; i < doc->ncols; i++) {
		if (doc->cols[i].share <= 0) {
			float title = pdf_doc_width(doc, PDF_BOLD, doc->cols[i].title);
			float widest = content && content[i] > title ? content[i] : title;

			doc->col_w[i] = widest + 2 * CELL_PAD;
			fixed += doc->col_w[i];
		} else {
			doc->col_w[i] = 0;
			shares += doc->cols[i].share;
		}
	}
	float scale = fixed > TEXT_W * (1 - MIN_FREE_SHARE) ? TEXT_W * (1 - MIN_FREE_SHARE) / fixed
	                                                    : 1.0f;
	float left = TEXT_W - fixed * scale;

	for (size_t i = 0; i < doc->ncols; i++) {
		if (doc->col_w[i] > 0)
			doc->col_w[i] *= scale;
		else
			doc->col_w[i] = shares > 0 ? left * doc->cols[i].share / shares : 0;
		doc->col_x[i] = x;
		x += doc->col_w[i];
	}
}

int pdf_doc_table_sized(struct pdf_doc *doc, const struct pdf_column *cols, size_t n,
                        const float *content)
{
	if (n > MAX_COLS)
		return cs_error_set(CS_EINTERNAL, NULL, "The table has too many columns.");
	doc->cols = NULL;
	/* The header and at least one row together, never a header alone at a page's foot. */
	int rc = need(doc, 3 * line_height(PDF_BODY) + 4.0f);

	if (rc != CS_OK)
		return rc;
	doc->cols = cols;
	doc->ncols = n;
	layout(doc, content);
	return table_header(doc);
}

int pdf_doc_table(struct pdf_doc *doc, const struct pdf_column *cols, size_t n)
{
	return pdf_doc_table_sized(doc, cols, n, NULL);
}

/* The cells of one row: their clean text and its lines. */
struct row {
	char *text[MAX_COLS];
	struct lines lines[MAX_COLS];
	size_t height; /* lines of the tallest cell */
};

static void row_free(struct row *r)
{
	for (size_t i = 0; i < MAX_COLS; i++) {
		free(r->text[i]);
		free(r->lines[i].v);
	}
}

static int row_break(struct pdf_doc *doc, struct row *r, const char *const *cells)
{
	r->height = 1;
	for (size_t i = 0; i < doc->ncols; i++) {
		r->text[i] = clean(cells[i]);
		if (!r->text[i] || break_lines(doc, PDF_BODY, r->text[i],
		                               doc->col_w[i] - 2 * CELL_PAD, &r->lines[i]))
			return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		if (r->lines[i].n > r->height)
			r->height = r->lines[i].n;
	}
	return CS_OK;
}

/* Lines of body text that fit between the current position and the page's foot. */
static size_t lines_left(const struct pdf_doc *doc)
{
	float room = doc->y - BOTTOM - 2.0f;

	/* The slack absorbs float rounding: room made by need() for n lines holds n lines. */
	return room > 0 ? (size_t)((room + 0.01f) / line_height(PDF_BODY)) : 0;
}

/* Lines of body text a new page holds under the table's header. */
static size_t lines_per_page(void)
{
	float room = PAGE_H - MARGIN - (line_height(PDF_BOLD) + 4.0f) - BOTTOM - 2.0f;

	return (size_t)(room / line_height(PDF_BODY));
}

int pdf_doc_row(struct pdf_doc *doc, const char *const *cells)
{
	struct row r = {0};
	float lh = line_height(PDF_BODY);
	int rc;

	if (!doc->cols)
		return cs_error_set(CS_EINTERNAL, NULL, "No table is open.");
	rc = row_break(doc, &r, cells);
	/* A row that fits on a page starts on a new one rather than being split; a taller one
	 * runs on from here, its cells continued under the header of each next page. */
	if (rc == CS_OK && r.height <= lines_per_page() && r.height > lines_left(doc))
		rc = need(doc, (float)r.height * lh + 2.0f);
	for (size_t from = 0; rc == CS_OK && from < r.height;) {
		size_t take = lines_left(doc);

		if (!take) {
			rc = need(doc, PAGE_H);
			continue;
		}
		if (take > r.height - from)
			take = r.height - from;
		for (size_t i = 0; i < doc->ncols; i++)
			for (size_t k = from; k < from + take && k < r.lines[i].n; k++)
				cell_line(doc, PDF_BODY, i,
				          doc->y - (float)(k - from + 1) * lh + lh * 0.25f,
				          r.text[i] + r.lines[i].v[k].start, r.lines[i].v[k].len);
		doc->y -= (float)take * lh;
		from += take;
		rc = status(doc);
	}
	doc->y -= 2.0f;
	row_free(&r);
	return rc;
}

void pdf_doc_table_end(struct pdf_doc *doc)
{
	if (doc->ncols) {
		doc->sum_x = doc->col_x[doc->ncols - 1];
		doc->sum_w = doc->col_w[doc->ncols - 1];
	}
	doc->cols = NULL;
	doc->ncols = 0;
}

int pdf_doc_total(struct pdf_doc *doc, enum pdf_style style, const char *label, const char *value)
{
	float lh = line_height(style);
	int rc = need(doc, lh);
	char *l = rc == CS_OK ? clean(label) : NULL, *v = l ? clean(value) : NULL;

	if (rc != CS_OK)
		return rc;
	if (!v) {
		free(l);
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	}
	if (doc->sum_w <= 0) { /* no table before: the right edge of the text */
		doc->sum_w = TEXT_W * 0.2f;
		doc->sum_x = PAGE_W - MARGIN - doc->sum_w;
	}
	doc->y -= lh;
	draw(doc, style, doc->sum_x - CELL_PAD - width(doc, style, l, strlen(l)),
	     doc->y + lh * 0.25f, l, strlen(l));
	draw(doc, style, doc->sum_x + doc->sum_w - CELL_PAD - width(doc, style, v, strlen(v)),
	     doc->y + lh * 0.25f, v, strlen(v));
	free(l);
	free(v);
	return status(doc);
}

int pdf_doc_qr(struct pdf_doc *doc, const char *text, float size)
{
	int rc = need(doc, size);

	if (rc != CS_OK)
		return rc;
	doc->y -= size;
	rc = pdf_qr_draw(page(doc), MARGIN, doc->y, size, text);
	return rc == CS_OK ? status(doc) : rc;
}

float pdf_doc_field_height(struct pdf_doc *doc, const char *value)
{
	char *s = clean(value);
	struct lines lines = {0};
	size_t n = 1;

	if (s && !break_lines(doc, PDF_BODY, s, TEXT_W - LABEL_W, &lines) && lines.n > 1)
		n = lines.n;
	free(lines.v);
	free(s);
	return (float)n * line_height(PDF_BODY);
}

/* A dashed line across the page, edge to edge: where to cut. */
static void cut_line(struct pdf_doc *doc, float y)
{
	HPDF_Page p = page(doc);
	const HPDF_UINT16 dash[] = {4, 3};

	HPDF_Page_SetGrayStroke(p, 0.4f);
	HPDF_Page_SetLineWidth(p, 0.75f);
	HPDF_Page_SetDash(p, dash, 2, 0);
	HPDF_Page_MoveTo(p, MARGIN / 2, y);
	HPDF_Page_LineTo(p, PAGE_W - MARGIN / 2, y);
	HPDF_Page_Stroke(p);
	HPDF_Page_SetDash(p, NULL, 0, 0);
}

int pdf_doc_foot(struct pdf_doc *doc, float height, const char *note)
{
	float lh = line_height(PDF_SMALL), total = height + lh + 12.0f;
	char *n = clean(note);
	int rc = n ? CS_OK : cs_error_set(CS_ENOMEM, NULL, "Out of memory.");

	doc->cols = NULL;
	if (rc == CS_OK && doc->y - total < BOTTOM)
		rc = add_page(doc);
	if (rc != CS_OK)
		goto out;
	doc->y = BOTTOM + total;
	cut_line(doc, doc->y);
	doc->y -= 6.0f + lh;
	draw(doc, PDF_SMALL, (PAGE_W - width(doc, PDF_SMALL, n, strlen(n))) / 2,
	     doc->y + lh * 0.25f, n, strlen(n));
	doc->y -= 6.0f;
	rc = status(doc);
out:
	free(n);
	return rc;
}

int pdf_doc_image(struct pdf_doc *doc, const unsigned char *data, size_t len, int png, float max_w,
                  float max_h)
{
	int before = doc->failed;
	HPDF_Image img = png ? HPDF_LoadPngImageFromMem(doc->pdf, data, (HPDF_UINT)len)
	                     : HPDF_LoadJpegImageFromMem(doc->pdf, data, (HPDF_UINT)len);

	if (!img) {
		/* Forget libharu's complaint: the document goes on without the image. */
		HPDF_ResetError(doc->pdf);
		doc->failed = before;
		return status(doc);
	}
	float w = (float)HPDF_Image_GetWidth(img), h = (float)HPDF_Image_GetHeight(img);
	float scale = w > 0 && h > 0 ? (max_w / w < max_h / h ? max_w / w : max_h / h) : 0;
	int rc = need(doc, h * scale);

	if (rc != CS_OK)
		return rc;
	doc->y -= h * scale;
	HPDF_Page_DrawImage(page(doc), img, MARGIN, doc->y, w * scale, h * scale);
	return status(doc);
}

void pdf_doc_accent(struct pdf_doc *doc, const char *hex)
{
	unsigned r, g, b;

	doc->accented = doc->accent_text = false;
	if (!hex || strlen(hex) != 7 || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
		return;
	doc->accent[0] = (float)r / 255.0f;
	doc->accent[1] = (float)g / 255.0f;
	doc->accent[2] = (float)b / 255.0f;
	doc->accented = true;
	/* A pale brand colour (yellow, light grey) cannot be read as text on white: the headings
	 * then stay black and only the rules take it. Luma as in ITU-R BT.601. */
	doc->accent_text =
	        0.299f * doc->accent[0] + 0.587f * doc->accent[1] + 0.114f * doc->accent[2] < 0.6f;
}

int pdf_doc_page_label(struct pdf_doc *doc, const char *label)
{
	free(doc->label);
	doc->label = clean(label);
	return doc->label ? CS_OK : cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
}

static void number_pages(struct pdf_doc *doc)
{
	size_t keep = doc->npages;

	for (size_t i = 0; i < keep; i++) {
		char label[320];
		HPDF_Page p = doc->pages[i];

		/* The document's own label (its number) on every page: a page that comes loose
		 * still says what it belongs to. */
		if (doc->label)
			snprintf(label, sizeof(label), "%s · Page %zu of %zu", doc->label, i + 1,
			         keep);
		else
			snprintf(label, sizeof(label), "Page %zu of %zu", i + 1, keep);
		draw_on(doc, p, PDF_SMALL, MARGIN, MARGIN - 18.0f, doc->footer,
		        strlen(doc->footer));
		draw_on(doc, p, PDF_SMALL,
		        PAGE_W - MARGIN - width(doc, PDF_SMALL, label, strlen(label)),
		        MARGIN - 18.0f, label, strlen(label));
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
