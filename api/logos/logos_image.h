/*
 * Is this upload a logo a document can print? The bytes must be a PNG or a JPEG (by their
 * signature, which must agree with the declared type), within the pixel limits (read from the
 * header, before anything is decoded: a small file can claim a huge image), decode in full (a
 * PNG through libpng, a JPEG through libjpeg-turbo), and then load in libharu, as the PDFs will
 * load it.
 */
#ifndef CURBSIDE_LOGOS_IMAGE_H
#define CURBSIDE_LOGOS_IMAGE_H

#include <stddef.h>

#include "core/error.h"
#include "http/middleware.h"

#define LOGO_MAX_BYTES  HTTP_IMAGE_BODY_MAX
#define LOGO_MAX_SIDE   4096
#define LOGO_MAX_PIXELS (4 * 1024 * 1024)

struct logo_image {
	const char *content_type; /* "image/png" or "image/jpeg" (static) */
	int width, height;
};

/*
 * Check `len` bytes declared as `content_type` ("image/png" or "image/jpeg"). CS_OK with *out
 * filled; CS_EINVALID with a problem recorded: logo_type_mismatch (the bytes are not of the
 * declared type), logo_too_large (pixels), logo_unreadable (does not decode); CS_ENOMEM.
 */
int logos_image_check(struct logo_image *out, const unsigned char *data, size_t len,
                      const char *content_type) CS_MUST_CHECK;

#endif
