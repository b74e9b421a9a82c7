#include "pdf/pdf_qr.h"

#include <errno.h>
#include <qrencode.h>

/* The blank border a reader needs around the symbol, in modules (ISO/IEC 18004). */
#define QUIET_ZONE 4

/* One row of the symbol: each run of dark modules as one rectangle, fewer path operators. */
static void draw_row(HPDF_Page page, const QRcode *qr, int row, float x0, float top, float m)
{
	const unsigned char *cells = qr->data + (size_t)row * (size_t)qr->width;

	for (int col = 0; col < qr->width;) {
		if (!(cells[col] & 1)) {
			col++;
			continue;
		}
		int start = col;

		while (col < qr->width && (cells[col] & 1))
			col++;
		HPDF_Page_Rectangle(page, x0 + (float)start * m, top - (float)(row + 1) * m,
		                    (float)(col - start) * m, m);
	}
}

int pdf_qr_draw(HPDF_Page page, float x, float y, float size, const char *text)
{
	/* Level M restores a symbol up to 15% damaged: a folded or stamped paper invoice. */
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

	if (!qr)
		return errno == ENOMEM ? cs_error_set(CS_ENOMEM, NULL, "Out of memory.")
		                       : cs_error_set(CS_EINVALID, NULL,
		                                      "The text does not fit in a QR code.");
	float m = size / (float)(qr->width + 2 * QUIET_ZONE);
	float x0 = x + QUIET_ZONE * m, top = y + size - QUIET_ZONE * m;

	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	for (int row = 0; row < qr->width; row++)
		draw_row(page, qr, row, x0, top, m);
	HPDF_Page_Fill(page);
	QRcode_free(qr);
	return CS_OK;
}
