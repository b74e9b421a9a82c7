#include "pdf/pdf_face.h"

#include <hpdf_fontdef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_fonts.h"
#include "pdf/pdf_text.h"

#define MISSING 0xFFFF

/* One font of the document. `cache[cp]` is 0 before the first lookup of `cp`, MISSING when the
 * font has no glyph for it, else its width in 1/1000 em plus one. */
struct face {
	HPDF_Font font;
	HPDF_FontDef def;
	uint16_t *cache;
};

enum { REGULAR, BOLD, FALLBACK, N_FACES };

struct pdf_faces {
	HPDF_Doc pdf;
	struct face face[N_FACES];
	int fallback_tried;
};

static int load(struct face *f, HPDF_Doc pdf, const char *path)
{
	const char *name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);

	if (!name)
		return -1;
	f->font = HPDF_GetFont(pdf, name, "UTF-8");
	f->def = HPDF_GetFontDef(pdf, name);
	f->cache = calloc(0x10000, sizeof(*f->cache));
	return f->font && f->def && f->cache ? 0 : -1;
}

struct pdf_faces *pdf_faces_load(HPDF_Doc pdf)
{
	struct pdf_faces *faces = calloc(1, sizeof(*faces));
	struct pdf_font_files files = pdf_fonts_files();

	if (!faces)
		return NULL;
	faces->pdf = pdf;
	if (HPDF_UseUTFEncodings(pdf) != HPDF_OK ||
	    HPDF_SetCurrentEncoder(pdf, "UTF-8") != HPDF_OK ||
	    load(&faces->face[REGULAR], pdf, files.regular) ||
	    load(&faces->face[BOLD], pdf, files.bold)) {
		pdf_faces_free(faces);
		return NULL;
	}
	return faces;
}

void pdf_faces_free(struct pdf_faces *faces)
{
	if (!faces)
		return;
	for (int i = 0; i < N_FACES; i++)
		free(faces->face[i].cache);
	free(faces);
}

/* The cache entry of `cp` in `f` (looked up on first use). */
static uint16_t lookup(struct face *f, uint32_t cp)
{
	uint16_t *slot = &f->cache[cp & 0xFFFF];

	if (!*slot) {
		if (HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp) == 0)
			*slot = MISSING;
		else
			*slot = (uint16_t)(HPDF_TTFontDef_GetCharWidth(f->def, (HPDF_UNICODE)cp) +
			                   1);
	}
	return *slot;
}

/* The fallback font, loaded into the document the first time a character needs it (most
 * documents never do, and loading a font costs milliseconds); NULL when there is none. */
static struct face *fallback(struct pdf_faces *faces)
{
	struct face *f = &faces->face[FALLBACK];
	const char *path = pdf_fonts_files().fallback;

	if (!faces->fallback_tried) {
		faces->fallback_tried = 1;
		if (path && load(f, faces->pdf, path)) {
			free(f->cache);
			memset(f, 0, sizeof(*f));
		}
	}
	return f->font ? f : NULL;
}

/* The face that draws `cp` and its width in 1/1000 em. */
static struct face *face_of(struct pdf_faces *faces, int bold, uint32_t cp, float *width)
{
	struct face *main = &faces->face[bold ? BOLD : REGULAR], *other;
	uint16_t w = lookup(main, cp);

	if (w == MISSING && (other = fallback(faces)) && lookup(other, cp) != MISSING) {
		*width = (float)(lookup(other, cp) - 1);
		return other;
	}
	if (w == MISSING) /* DejaVu's box: the .notdef glyph */
		w = (uint16_t)(HPDF_TTFontDef_GetGidWidth(main->def, 0) + 1);
	*width = (float)(w - 1);
	return main;
}

float pdf_faces_width(struct pdf_faces *faces, int bold, float size, const char *text, size_t len)
{
	float total = 0, w;
	uint32_t cp;

	for (size_t i = 0, n; i < len && (n = pdf_text_next(text + i, &cp)); i += n) {
		face_of(faces, bold, cp, &w);
		total += w;
	}
	return total * size / 1000.0f;
}

/* Draw one run of characters of one face. */
static void run(HPDF_Page page, struct face *f, float size, float x, float y, const char *text,
                size_t len)
{
	char *s = strndup(text, len);

	if (!s)
		return;
	HPDF_Page_SetFontAndSize(page, f->font, size);
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, x, y, s);
	HPDF_Page_EndText(page);
	free(s);
}

void pdf_faces_draw(struct pdf_faces *faces, HPDF_Page page, int bold, float size,
                    const float rgb[3], float x, float y, const char *text, size_t len)
{
	struct face *current = NULL;
	size_t start = 0, i = 0, n;
	float run_w = 0, w;
	uint32_t cp;

	HPDF_Page_SetRGBFill(page, rgb[0], rgb[1], rgb[2]);
	for (; i < len && (n = pdf_text_next(text + i, &cp)); i += n) {
		struct face *f = face_of(faces, bold, cp, &w);

		if (current && f != current) {
			run(page, current, size, x, y, text + start, i - start);
			x += run_w * size / 1000.0f;
			start = i;
			run_w = 0;
		}
		current = f;
		run_w += w;
	}
	if (current && i > start)
		run(page, current, size, x, y, text + start, i - start);
}
