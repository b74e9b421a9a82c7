#include "pdf/pdf_fonts.h"

#include <hpdf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Written once at start-up, before the threads that draw documents exist. */
static char regular_path[PATH_MAX] = PDF_FONTS_DEFAULT_DIR "/DejaVuSans.ttf";
static char bold_path[PATH_MAX] = PDF_FONTS_DEFAULT_DIR "/DejaVuSans-Bold.ttf";
static char fallback_path[PATH_MAX] = PDF_FONTS_DEFAULT_FALLBACK;

struct pdf_font_files pdf_fonts_files(void)
{
	return (struct pdf_font_files){regular_path, bold_path,
	                               fallback_path[0] ? fallback_path : NULL};
}

static void ignore_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)error_no;
	(void)detail_no;
	(void)user_data;
}

/* Whether libharu loads `path` as an embeddable TrueType font. */
static int loads(const char *path)
{
	HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
	int ok = pdf && HPDF_UseUTFEncodings(pdf) == HPDF_OK &&
	         HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE) != NULL;

	if (pdf)
		HPDF_Free(pdf);
	return ok;
}

static int refuse(const char *path, const char *package)
{
	return cs_error_set(CS_EINVALID, NULL,
	                    "The PDF font %s cannot be loaded (a TrueType font; Debian's %s "
	                    "provides it).",
	                    path, package);
}

int pdf_fonts_configure(const char *dir, const char *fallback)
{
	char regular[PATH_MAX], bold[PATH_MAX];

	if (snprintf(regular, sizeof(regular), "%s/DejaVuSans.ttf", dir) >= (int)sizeof(regular) ||
	    snprintf(bold, sizeof(bold), "%s/DejaVuSans-Bold.ttf", dir) >= (int)sizeof(bold) ||
	    strlen(fallback) >= sizeof(fallback_path))
		return cs_error_set(CS_EINVALID, NULL, "The PDF font path is too long.");
	if (!loads(regular))
		return refuse(regular, "fonts-dejavu-core");
	if (!loads(bold))
		return refuse(bold, "fonts-dejavu-core");
	if (*fallback && !loads(fallback))
		return refuse(fallback, "fonts-droid-fallback");
	memcpy(regular_path, regular, sizeof(regular));
	memcpy(bold_path, bold, sizeof(bold));
	snprintf(fallback_path, sizeof(fallback_path), "%s", fallback);
	return CS_OK;
}
