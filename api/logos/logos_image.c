#include "logos/logos_image.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static bool is_png(const unsigned char *d, size_t len)
{
	return len >= 8 && !memcmp(d, png_signature, 8);
}

static bool is_jpeg(const unsigned char *d, size_t len)
{
	return len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}

static int unreadable(const char *what)
{
	return cs_error_set(CS_EINVALID, "logo_unreadable",
	                    "The %s cannot be read as an image: it is damaged or in a form this "
	                    "service cannot print.",
	                    what);
}

static int check_size(int width, int height)
{
	if (width < 1 || height < 1)
		return unreadable("image");
	if (width > LOGO_MAX_SIDE || height > LOGO_MAX_SIDE ||
	    (long long)width * height > LOGO_MAX_PIXELS)
		return cs_error_set(
		        CS_EINVALID, "logo_too_large",
		        "The logo is %d x %d pixels; it may be at most %d pixels a side "
		        "and %d pixels in all.",
		        width, height, LOGO_MAX_SIDE, LOGO_MAX_PIXELS);
	return CS_OK;
}

/* A PNG's size from its IHDR chunk, which must come first (PNG specification 5.6). */
static int png_size(int *width, int *height, const unsigned char *d, size_t len)
{
	if (len < 24 || memcmp(d + 12, "IHDR", 4))
		return unreadable("PNG");
	unsigned long w = (unsigned long)d[16] << 24 | (unsigned long)d[17] << 16 |
	                  (unsigned long)d[18] << 8 | d[19];
	unsigned long h = (unsigned long)d[20] << 24 | (unsigned long)d[21] << 16 |
	                  (unsigned long)d[22] << 8 | d[23];

	*width = w > LOGO_MAX_SIDE ? LOGO_MAX_SIDE + 1 : (int)w;
	*height = h > LOGO_MAX_SIDE ? LOGO_MAX_SIDE + 1 : (int)h;
	return CS_OK;
}

/* libjpeg reports a fatal error by calling error_exit, which must not return. */
struct jpeg_guard {
	struct jpeg_error_mgr mgr;
	jmp_buf escape;
};

static void jpeg_fail(j_common_ptr cinfo)
{
	longjmp(((struct jpeg_guard *)cinfo->err)->escape, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
	/* Warnings (corrupt or truncated data) are counted, checked below, never printed. */
	if (level < 0)
		cinfo->err->num_warnings++;
}

/* Decode the whole JPEG, checking its size from the header first. Warnings (a truncated file
 * that libjpeg would fill with grey) count as unreadable. */
static int jpeg_decode(int *width, int *height, const unsigned char *d, size_t len)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_guard guard;
	JSAMPLE *volatile row = NULL;
	volatile int rc = CS_OK;

	cinfo.err = jpeg_std_error(&guard.mgr);
	guard.mgr.error_exit = jpeg_fail;
	guard.mgr.emit_message = jpeg_quiet;
	jpeg_create_decompress(&cinfo);
	if (setjmp(guard.escape)) {
		rc = unreadable("JPEG");
		goto out;
	}
	jpeg_mem_src(&cinfo, d, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	*width = (int)(cinfo.image_width > LOGO_MAX_SIDE ? LOGO_MAX_SIDE + 1 : cinfo.image_width);
	*height =
	        (int)(cinfo.image_height > LOGO_MAX_SIDE ? LOGO_MAX_SIDE + 1 : cinfo.image_height);
	if ((rc = check_size(*width, *height)) != CS_OK)
		goto out;
	jpeg_start_decompress(&cinfo);
	row = malloc((size_t)cinfo.output_width * (size_t)cinfo.output_components);
	if (!row) {
		rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
		goto out;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW rows[1] = {row};

		jpeg_read_scanlines(&cinfo, rows, 1);
	}
	jpeg_finish_decompress(&cinfo);
	if (guard.mgr.num_warnings)
		rc = unreadable("JPEG");
out:
	free(row);
	jpeg_destroy_decompress(&cinfo);
	return rc;
}

/* Decode the whole PNG with libpng's simplified API, which reports errors by its return value:
 * libharu's own PNG loader aborts the process on a damaged file (its libpng error handler
 * returns), so no PNG reaches libharu undecoded. */
static int png_decode(const unsigned char *d, size_t len)
{
	png_image image;
	png_bytep pixels = NULL;
	int rc = CS_OK;

	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&image, d, len))
		return unreadable("PNG");
	image.format = PNG_FORMAT_RGBA;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	if (!pixels)
		rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	else if (!png_image_finish_read(&image, NULL, pixels, 0, NULL))
		rc = unreadable("PNG");
	png_image_free(&image);
	free(pixels);
	return rc;
}

static void haru_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)error_no;
	(void)detail_no;
	*(int *)user_data = 1;
}

/* Whether libharu loads the image, as the documents will. */
static int haru_loads(const unsigned char *d, size_t len, bool png)
{
	int failed = 0;
	HPDF_Doc pdf = HPDF_New(haru_error, &failed);

	if (!pdf)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	HPDF_Image img = png ? HPDF_LoadPngImageFromMem(pdf, d, (HPDF_UINT)len)
	                     : HPDF_LoadJpegImageFromMem(pdf, d, (HPDF_UINT)len);
	HPDF_Free(pdf);
	return img && !failed ? CS_OK : unreadable(png ? "PNG" : "JPEG");
}

int logos_image_check(struct logo_image *out, const unsigned char *data, size_t len,
                      const char *content_type)
{
	bool png = !strcmp(content_type, "image/png");
	int rc;

	memset(out, 0, sizeof(*out));
	if (png ? !is_png(data, len) : !is_jpeg(data, len))
		return cs_error_set(CS_EINVALID, "logo_type_mismatch",
		                    "The body is not a %s image, as its Content-Type says.",
		                    png ? "PNG" : "JPEG");
	rc = png ? png_size(&out->width, &out->height, data, len)
	         : jpeg_decode(&out->width, &out->height, data, len);
	if (rc == CS_OK && png)
		rc = check_size(out->width, out->height);
	if (rc == CS_OK && png)
		rc = png_decode(data, len);
	if (rc == CS_OK)
		rc = haru_loads(data, len, png);
	if (rc == CS_OK)
		out->content_type = png ? "image/png" : "image/jpeg";
	return rc;
}
