/*
 * QR codes on a PDF page, drawn as vector squares (libqrencode; Debian's libqrencode-dev): sharp
 * at any zoom and in print, and no image to embed. Private to pdf/: pdf_doc.c draws with it.
 */
#ifndef CURBSIDE_PDF_QR_H
#define CURBSIDE_PDF_QR_H

#include <hpdf.h>

#include "core/error.h"

/*
 * Draw `text` as a QR code `size` points square, its four-module quiet zone included, with its
 * lower left corner at (x, y) on `page`. CS_EINVALID when the text does not fit in a QR code
 * (over about 2 kB); CS_ENOMEM.
 */
int pdf_qr_draw(HPDF_Page page, float x, float y, float size, const char *text) CS_MUST_CHECK;

#endif
