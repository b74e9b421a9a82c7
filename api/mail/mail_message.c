#include "mail/mail_message.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "core/strbuf.h"

#define QP_LINE_MAX      76 /* RFC 2045: encoded lines at most 76 characters */
#define HEADER_LINE_MAX  78 /* RFC 5322: SHOULD */
#define ENCODED_WORD_MAX 75 /* RFC 2047 */

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex_digits[] = "0123456789ABCDEF";

static int finish(char **out, struct strbuf *b)
{
	*out = strbuf_detach(b, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}

/* ---- base64 ---------------------------------------------------------------------------------- */

static void b64_append(struct strbuf *b, const unsigned char *data, size_t size)
{
	for (size_t i = 0; i < size; i += 3) {
		unsigned v = (unsigned)data[i] << 16;
		size_t n = size - i < 3 ? size - i : 3;
		char quad[4];
		if (n > 1)
			v |= (unsigned)data[i + 1] << 8;
		if (n > 2)
			v |= data[i + 2];
		quad[0] = b64_alphabet[(v >> 18) & 63];
		quad[1] = b64_alphabet[(v >> 12) & 63];
		quad[2] = n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		quad[3] = n > 2 ? b64_alphabet[v & 63] : '=';
		strbuf_append(b, quad, 4);
	}
}

int mail_encode_base64(char **out, const unsigned char *data, size_t size)
{
	struct strbuf b = STRBUF_INIT;

	/* 57 input bytes make one 76-character line. */
	for (size_t i = 0; i < size; i += 57) {
		b64_append(&b, data + i, size - i < 57 ? size - i : 57);
		strbuf_append(&b, "\r\n", 2);
	}
	return finish(out, &b);
}

/* ---- quoted-printable ------------------------------------------------------------------------ */

/* True when text[i] ends a line (LF, CRLF) or the text. */
static bool at_line_end(const char *text, size_t i)
{
	return !text[i] || text[i] == '\n' || (text[i] == '\r' && text[i + 1] == '\n');
}

int mail_encode_qp(char **out, const char *text)
{
	struct strbuf b = STRBUF_INIT;
	size_t col = 0;

	for (size_t i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		char token[4];
		size_t n = 1;

		if (c == '\r' && text[i + 1] == '\n')
			continue; /* the LF that follows makes the line break */
		if (c == '\n') {
			strbuf_append(&b, "\r\n", 2);
			col = 0;
			continue;
		}
		/* Literal unless: not printable, '=', whitespace before a line end (it would be
		 * stripped in transit), or a '.' opening a line (SMTP would treat a lone one as the
		 * end of the message). */
		bool literal = (c >= 33 && c <= 126 && c != '=') ||
		               ((c == ' ' || c == '\t') && !at_line_end(text, i + 1));
		if (c == '.' && col == 0)
			literal = false;
		if (literal) {
			token[0] = (char)c;
		} else {
			token[0] = '=';
			token[1] = hex_digits[c >> 4];
			token[2] = hex_digits[c & 15];
			n = 3;
		}
		/* Leave room for the soft break "=" unless this token ends the line. */
		size_t room = at_line_end(text, i + 1) ? QP_LINE_MAX : QP_LINE_MAX - 1;
		if (col + n > room) {
			strbuf_append(&b, "=\r\n", 3);
			col = 0;
			if (c == '.') {
				token[0] = '=';
				token[1] = '2';
				token[2] = 'E';
				n = 3;
			}
		}
		strbuf_append(&b, token, n);
		col += n;
	}
	if (col > 0)
		strbuf_append(&b, "\r\n", 2);
	return finish(out, &b);
}

/* ---- headers --------------------------------------------------------------------------------- */

static bool needs_encoding(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 32 || c > 126 || (s[0] == '=' && s[1] == '?'))
			return true;
	}
	return false;
}

/* A copy of `value` on one line: CR, LF and tabs become spaces (no header injection). */
static char *one_line(const char *value)
{
	char *copy = strdup(value);

	for (char *p = copy; p && *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return copy;
}

/* ASCII value folded at spaces so lines stay within 78 characters where words allow. */
static void fold_ascii(struct strbuf *b, const char *value, size_t used)
{
	size_t col = used + 1;
	const char *p = value;

	while (*p) {
		size_t word = strcspn(p + 1, " ") + 1; /* a word with its leading space, if any */
		if (p != value && *p == ' ' && col + word > HEADER_LINE_MAX) {
			strbuf_append(b, "\r\n", 2);
			col = 0;
		}
		strbuf_append(b, p, word);
		col += word;
		p += word;
	}
}

/* Bytes of `s` that fit `max` bytes without splitting a UTF-8 sequence. */
static size_t utf8_chunk(const unsigned char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 1 && (s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void encoded_words(struct strbuf *b, const char *value, size_t used)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value);
	size_t col = used + 1;
	bool first = true;

	while (len > 0 || first) {
		/* "=?UTF-8?B?" + "?=" is 12 characters; each 3 bytes take 4. */
		size_t budget = HEADER_LINE_MAX - col - 12;
		if (budget > ENCODED_WORD_MAX - 12 || budget < 16)
			budget = ENCODED_WORD_MAX - 12;
		size_t n = utf8_chunk(s, len, budget / 4 * 3);
		if (!first) {
			strbuf_append(b, "\r\n ", 3);
			col = 1;
		}
		strbuf_append(b, "=?UTF-8?B?", 10);
		b64_append(b, s, n);
		strbuf_append(b, "?=", 2);
		col += 12 + (n + 2) / 3 * 4;
		s += n;
		len -= n;
		first = false;
	}
}

int mail_encode_header(char **out, const char *value, size_t used)
{
	struct strbuf b = STRBUF_INIT;
	char *line = one_line(value);

	if (!line)
		return CS_ENOMEM;
	if (needs_encoding(line))
		encoded_words(&b, line, used);
	else
		fold_ascii(&b, line, used);
	free(line);
	return finish(out, &b);
}

/* A display name: a quoted string when ASCII, else encoded words. */
static int append_phrase(struct strbuf *b, const char *name, size_t used)
{
	char *line = one_line(name);

	if (!line)
		return CS_ENOMEM;
	if (needs_encoding(line)) {
		encoded_words(b, line, used);
	} else {
		strbuf_append(b, "\"", 1);
		for (const char *p = line; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_append(b, "\\", 1);
			strbuf_append(b, p, 1);
		}
		strbuf_append(b, "\"", 1);
	}
	free(line);
	return CS_OK;
}

bool mail_address_valid(const char *address)
{
	const char *at = address ? strchr(address, '@') : NULL;

	if (!at || at == address || !at[1] || strchr(at + 1, '@') || strlen(address) > 254)
		return false;
	for (const char *p = address; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 32 || c >= 127 || strchr("<>()[],;:\\\"", c))
			return false;
	}
	return true;
}

static int append_mailbox(struct strbuf *b, const char *header, const struct mail_address *a)
{
	strbuf_printf(b, "%s: ", header);
	if (a->name && *a->name) {
		if (append_phrase(b, a->name, strlen(header) + 1) != CS_OK)
			return CS_ENOMEM;
		strbuf_append(b, " ", 1);
	}
	strbuf_printf(b, "<%s>\r\n", a->address);
	return CS_OK;
}

static int append_header(struct strbuf *b, const char *name, const char *value)
{
	char *encoded = NULL;

	if (mail_encode_header(&encoded, value, strlen(name) + 1) != CS_OK)
		return CS_ENOMEM;
	strbuf_printf(b, "%s: %s\r\n", name, encoded);
	free(encoded);
	return CS_OK;
}

static void append_date(struct strbuf *b, time_t when)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	gmtime_r(&when, &tm);
	strbuf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	              tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	              tm.tm_sec);
}

/* ---- bodies ---------------------------------------------------------------------------------- */

static int new_boundary(char out[40], const char *kind)
{
	unsigned char bytes[12];
	char hex[25];

	if (random_bytes(bytes, sizeof(bytes)) != CS_OK)
		return CS_EINTERNAL;
	for (size_t i = 0; i < sizeof(bytes); i++) {
		hex[2 * i] = hex_digits[bytes[i] >> 4];
		hex[2 * i + 1] = hex_digits[bytes[i] & 15];
	}
	hex[24] = '\0';
	/* "=_" never occurs in quoted-printable or base64 text, so the boundary cannot either. */
	snprintf(out, 40, "=_%s_%s", kind, hex);
	return CS_OK;
}

static int append_text_part(struct strbuf *b, const char *subtype, const char *text)
{
	char *qp = NULL;

	if (mail_encode_qp(&qp, text) != CS_OK)
		return CS_ENOMEM;
	strbuf_printf(b,
	              "Content-Type: text/%s; charset=UTF-8\r\n"
	              "Content-Transfer-Encoding: quoted-printable\r\n\r\n%s",
	              subtype, qp);
	free(qp);
	return CS_OK;
}

/* The text part alone, or text and HTML as multipart/alternative. */
static int append_body(struct strbuf *b, const struct mail_message *msg)
{
	char boundary[40];
	int rc;

	if (!msg->html)
		return append_text_part(b, "plain", msg->text);
	if ((rc = new_boundary(boundary, "alt")) != CS_OK)
		return rc;
	strbuf_printf(b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n",
	              boundary, boundary);
	if ((rc = append_text_part(b, "plain", msg->text)) != CS_OK)
		return rc;
	strbuf_printf(b, "\r\n--%s\r\n", boundary);
	if ((rc = append_text_part(b, "html", msg->html)) != CS_OK)
		return rc;
	strbuf_printf(b, "\r\n--%s--\r\n", boundary);
	return CS_OK;
}

static bool content_type_valid(const char *type)
{
	const char *slash = type ? strchr(type, '/') : NULL;

	if (!slash || slash == type || !slash[1])
		return false;
	for (const char *p = type; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-/",
		            *p))
			return false;
	return true;
}

/* `param="name"` when the name is plain ASCII, else RFC 2231 `param*=UTF-8''%XX...`. */
static void append_filename_param(struct strbuf *b, const char *param, const char *name)
{
	bool plain = !needs_encoding(name) && !strpbrk(name, "\"\\");

	/* Each parameter on a folded line of its own keeps the header lines short. */
	if (plain) {
		strbuf_printf(b, ";\r\n %s=\"%s\"", param, name);
		return;
	}
	strbuf_printf(b, ";\r\n %s*=UTF-8''", param);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			strbuf_append(b, (const char *)p, 1);
		else
			strbuf_printf(b, "%%%c%c", hex_digits[*p >> 4], hex_digits[*p & 15]);
	}
}

static int append_attachment(struct strbuf *b, const struct mail_attachment *a)
{
	char *data = NULL;

	if (!a->filename || !*a->filename || !content_type_valid(a->content_type) ||
	    (!a->data && a->size))
		return CS_EINVALID;
	if (mail_encode_base64(&data, a->data, a->size) != CS_OK)
		return CS_ENOMEM;
	strbuf_printf(b, "Content-Type: %s", a->content_type);
	append_filename_param(b, "name", a->filename);
	strbuf_printf(b, "\r\nContent-Disposition: attachment");
	append_filename_param(b, "filename", a->filename);
	strbuf_printf(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n%s", data);
	free(data);
	return CS_OK;
}

/* The body, wrapped in multipart/mixed with the attachments when there are any. */
static int append_content(struct strbuf *b, const struct mail_message *msg)
{
	char boundary[40];
	int rc;

	if (msg->attachment_count == 0)
		return append_body(b, msg);
	if ((rc = new_boundary(boundary, "mix")) != CS_OK)
		return rc;
	strbuf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary,
	              boundary);
	if ((rc = append_body(b, msg)) != CS_OK)
		return rc;
	for (size_t i = 0; i < msg->attachment_count; i++) {
		strbuf_printf(b, "\r\n--%s\r\n", boundary);
		if ((rc = append_attachment(b, &msg->attachments[i])) != CS_OK)
			return rc;
	}
	strbuf_printf(b, "\r\n--%s--\r\n", boundary);
	return CS_OK;
}

static int append_headers(struct strbuf *b, const struct mail_message *msg)
{
	append_date(b, msg->date);
	strbuf_printf(b, "Message-ID: <%s>\r\n", msg->message_id);
	if (append_mailbox(b, "From", &msg->from) != CS_OK)
		return CS_ENOMEM;
	if (msg->reply_to)
		strbuf_printf(b, "Reply-To: <%s>\r\n", msg->reply_to);
	if (append_mailbox(b, "To", &msg->to) != CS_OK ||
	    append_header(b, "Subject", msg->subject) != CS_OK)
		return CS_ENOMEM;
	strbuf_printf(b, "MIME-Version: 1.0\r\n");
	return CS_OK;
}

static bool message_valid(const struct mail_message *msg)
{
	return mail_address_valid(msg->from.address) && mail_address_valid(msg->to.address) &&
	       (!msg->reply_to || mail_address_valid(msg->reply_to)) && msg->subject && msg->text &&
	       msg->message_id && mail_address_valid(msg->message_id) &&
	       (msg->attachment_count == 0 || msg->attachments);
}

int mail_message_render(char **out, size_t *len, const struct mail_message *msg)
{
	struct strbuf b = STRBUF_INIT;
	int rc;

	*out = NULL;
	*len = 0;
	if (!message_valid(msg))
		return CS_EINVALID;
	if ((rc = append_headers(&b, msg)) == CS_OK)
		rc = append_content(&b, msg);
	if (rc != CS_OK) {
		strbuf_release(&b);
		return rc;
	}
	*out = strbuf_detach(&b, len);
	return *out ? CS_OK : CS_ENOMEM;
}
