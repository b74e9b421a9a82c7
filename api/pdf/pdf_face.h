/*
 * Text in the fonts of one document (pdf/pdf_fonts.h): each character is drawn with DejaVu
 * (regular or bold) when DejaVu has it, else with the fallback font when that has it, else
 * with DejaVu's empty box (its text still reads back from the PDF). Widths and glyph lookups
 * are cached per document: libharu searches the font's character map on every call.
 * Private to pdf/: pdf_doc.c draws with it.
 */
#ifndef CURBSIDE_PDF_FACE_H
#define CURBSIDE_PDF_FACE_H

#include <hpdf.h>
#include <stddef.h>

struct pdf_faces;

/* Load the fonts into `pdf` (UTF-8 encoded, embedded); NULL when libharu failed or out of
 * memory. Freed with pdf_faces_free, before HPDF_Free. */
struct pdf_faces *pdf_faces_load(HPDF_Doc pdf);

void pdf_faces_free(struct pdf_faces *faces);

/* The width in points of the first `len` bytes of the clean UTF-8 `text` (pdf_text_clean) at
 * `size` points. */
float pdf_faces_width(struct pdf_faces *faces, int bold, float size, const char *text, size_t len);

/* Draw the first `len` bytes of `text` with its left end at (x, y) on `page`, in the colour
 * `rgb` (each 0 to 1). */
void pdf_faces_draw(struct pdf_faces *faces, HPDF_Page page, int bold, float size,
                    const float rgb[3], float x, float y, const char *text, size_t len);

#endif
