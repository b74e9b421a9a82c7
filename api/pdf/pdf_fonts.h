/*
 * The font files every PDF embeds: DejaVu Sans, regular and bold (Debian's fonts-dejavu-core),
 * and a fallback TrueType font for the characters DejaVu lacks (CJK: Debian's
 * fonts-droid-fallback). Set once at start-up, before any document is drawn, then only read.
 */
#ifndef CURBSIDE_PDF_FONTS_H
#define CURBSIDE_PDF_FONTS_H

#include "core/error.h"

/* Where Debian installs them. */
#define PDF_FONTS_DEFAULT_DIR      "/usr/share/fonts/truetype/dejavu"
#define PDF_FONTS_DEFAULT_FALLBACK "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

struct pdf_font_files {
	const char *regular;  /* DejaVuSans.ttf */
	const char *bold;     /* DejaVuSans-Bold.ttf */
	const char *fallback; /* NULL: none */
};

/*
 * Use DejaVuSans.ttf and DejaVuSans-Bold.ttf of `dir` and the TrueType font `fallback` ("" for
 * none) from now on, after checking that libharu loads each. CS_EINVALID with a message naming
 * the file and the package that provides it when one cannot be loaded; nothing changes then.
 */
int pdf_fonts_configure(const char *dir, const char *fallback) CS_MUST_CHECK;

/* The files in use: the Debian defaults until pdf_fonts_configure succeeds. */
struct pdf_font_files pdf_fonts_files(void);

#endif
