/*
 * RFC 5322 / MIME messages: headers (RFC 2047 encoded words when not ASCII), a text part and an
 * optional HTML alternative (UTF-8, quoted-printable), and attachments (base64, multipart/mixed).
 * Pure code: no I/O besides the randomness of the MIME boundaries.
 */
#ifndef CURBSIDE_MAIL_MESSAGE_H
#define CURBSIDE_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/error.h"

/* A mailbox: `address` is a plain addr-spec (local@domain); `name` may be NULL or UTF-8. */
struct mail_address {
	const char *name;
	const char *address;
};

/* An attachment: `data` (`size` bytes) is sent base64-encoded under `filename` (UTF-8). */
struct mail_attachment {
	const char *filename;
	const char *content_type; /* e.g. "application/pdf" */
	const unsigned char *data;
	size_t size;
};

/* What to render. Strings are UTF-8 and borrowed for the call. */
struct mail_message {
	struct mail_address from;
	struct mail_address to;
	const char *reply_to;   /* plain address, or NULL */
	const char *subject;    /* one line; CR and LF become spaces */
	const char *message_id; /* "local@domain", without the angle brackets */
	time_t date;
	const char *text; /* the text/plain body (LF or CRLF line ends) */
	const char *html; /* the text/html alternative, or NULL */
	const struct mail_attachment *attachments;
	size_t attachment_count;
};

/*
 * Render `msg` as a message ready for SMTP DATA (CRLF line ends, 7-bit, lines under 1000 bytes).
 * On success *out (malloc'd, NUL-terminated, caller frees) holds *len bytes. CS_EINVALID when an
 * address is not a plain addr-spec or a required member is missing; CS_ENOMEM.
 */
int mail_message_render(char **out, size_t *len, const struct mail_message *msg) CS_MUST_CHECK;

/* True when `address` is a plain addr-spec safe in a header and an SMTP envelope. */
bool mail_address_valid(const char *address);

/* Encoders, exposed for the unit tests. Each appends to a malloc'd, NUL-terminated string in
 * *out (caller frees); CS_ENOMEM. */

/* Quoted-printable (RFC 2045): CRLF line ends, soft breaks keep lines within 76 characters. */
int mail_encode_qp(char **out, const char *text) CS_MUST_CHECK;

/* Base64 (RFC 2045) in lines of 76 characters, each ended by CRLF. */
int mail_encode_base64(char **out, const unsigned char *data, size_t size) CS_MUST_CHECK;

/* A header value: as is when printable ASCII, else RFC 2047 "B" encoded words (UTF-8), folded.
 * `used` is the length of the header name and colon already on the line. */
int mail_encode_header(char **out, const char *value, size_t used) CS_MUST_CHECK;

#endif
