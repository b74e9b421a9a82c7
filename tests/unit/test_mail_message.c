/* MIME messages (structure, header encoding, quoted-printable and base64 bodies, attachments) and
 * the branded templates (HTML escaping, money, links, no platform name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "core/link_token.h"
#include "mail/mail_message.h"
#include "mail/mail_templates.h"

/* ---- helpers --------------------------------------------------------------------------------- */

static int b64_value(char c)
{
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* Decode base64 (whitespace skipped) into `out`; returns the length. */
static size_t b64_decode(unsigned char *out, const char *in, size_t in_len)
{
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < in_len && in[i] != '='; i++) {
		int v = b64_value(in[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return n;
}

/* Every line ends with CRLF, is 7-bit and no longer than `max` characters. */
static void assert_lines(const char *text, size_t max)
{
	const char *line = text;

	for (const char *p = text; *p; p++) {
		assert_true((unsigned char)*p < 128);
		if (*p == '\n') {
			assert_true(p > text && p[-1] == '\r');
			assert_true((size_t)(p - 1 - line) <= max);
			line = p + 1;
		}
	}
	assert_true((size_t)(strchr(text, '\0') - line) <= max);
}

/* Not inlined: at -O3 GCC 12 mistakes the returned text for the address of the local `out`
 * (-Wdangling-pointer false positive). */
__attribute__((noinline)) static char *render(const struct mail_message *msg)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(mail_message_render(&out, &len, msg), CS_OK);
	assert_int_equal(strlen(out), len);
	return out;
}

static struct mail_message sample(void)
{
	return (struct mail_message){
	        .from = {"Greenway Disposal", "portal@mail.example"},
	        .to = {NULL, "pat@example.com"},
	        .reply_to = "billing@greenway.example",
	        .subject = "Reset your Greenway Disposal password",
	        .message_id = "0b0e-1@mail.example",
	        .date = 1764000000, /* 2025-11-24T16:00:00Z, a Monday */
	        .text = "Hello Pat,\n\nReset here: "
	                "https://greenway.portal.example/reset-password/abc\n",
	        .html = "<p>Hello Pat,</p>\n<p><a href=\"https://x.example/\">Reset</a></p>\n",
	};
}

/* The boundary parameter of the first Content-Type that has one. */
static void boundary_of(char *out, size_t size, const char *msg, const char *type)
{
	const char *ct = strstr(msg, type);
	assert_non_null(ct);
	const char *b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += 10;
	size_t n = strcspn(b, "\"");
	assert_true(n < size);
	memcpy(out, b, n);
	out[n] = '\0';
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- messages -------------------------------------------------------------------------------- */

static void headers_and_alternative_structure(void **state)
{
	(void)state;
	struct mail_message msg = sample();
	char *out = render(&msg), boundary[64], delim[80];

	assert_non_null(strstr(out, "Date: Mon, 24 Nov 2025 16:00:00 +0000\r\n"));
	assert_non_null(strstr(out, "Message-ID: <0b0e-1@mail.example>\r\n"));
	assert_non_null(strstr(out, "From: \"Greenway Disposal\" <portal@mail.example>\r\n"));
	assert_non_null(strstr(out, "Reply-To: <billing@greenway.example>\r\n"));
	assert_non_null(strstr(out, "To: <pat@example.com>\r\n"));
	assert_non_null(strstr(out, "Subject: Reset your Greenway Disposal password\r\n"));
	assert_non_null(strstr(out, "MIME-Version: 1.0\r\n"));
	boundary_of(boundary, sizeof(boundary), out, "Content-Type: multipart/alternative");
	snprintf(delim, sizeof(delim), "\r\n--%s\r\n", boundary);
	assert_int_equal(count(out, delim), 2);
	snprintf(delim, sizeof(delim), "\r\n--%s--\r\n", boundary);
	assert_int_equal(count(out, delim), 1);
	const char *plain = strstr(out, "Content-Type: text/plain; charset=UTF-8\r\n"
	                                "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	const char *html = strstr(out, "Content-Type: text/html; charset=UTF-8\r\n"
	                               "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	assert_non_null(plain);
	assert_non_null(html);
	assert_true(plain < html); /* the preferred alternative comes last */
	assert_non_null(strstr(out, "<a href=3D\"https://x.example/\">Reset</a>"));
	assert_lines(out, 78);
	free(out);
}

static void text_only_message_is_a_single_part(void **state)
{
	(void)state;
	struct mail_message msg = sample();
	msg.html = NULL;
	msg.reply_to = NULL;
	char *out = render(&msg);

	assert_null(strstr(out, "multipart"));
	assert_null(strstr(out, "Reply-To:"));
	assert_non_null(
	        strstr(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	free(out);
}

static void invalid_addresses_are_refused(void **state)
{
	(void)state;
	const char *bad[] = {"",
	                     "pat",
	                     "@example.com",
	                     "pat@",
	                     "pat@@x",
	                     "Pat <pat@x.com>",
	                     "pat@x.com\r\nBcc: e@x.com",
	                     "pat @x.com",
	                     "pät@x.com"};
	char *out = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mail_message msg = sample();
		msg.to.address = bad[i];
		assert_int_equal(mail_message_render(&out, &len, &msg), CS_EINVALID);
		assert_null(out);
		msg = sample();
		msg.reply_to = bad[i];
		assert_int_equal(mail_message_render(&out, &len, &msg), CS_EINVALID);
	}
	assert_true(mail_address_valid("pat.o+tag@sub.example.com"));
}

/* ---- headers --------------------------------------------------------------------------------- */

static void ascii_header_is_kept_and_folded(void **state)
{
	(void)state;
	char *out = NULL;

	assert_int_equal(mail_encode_header(&out, "Invoice 10452 from Acme", 8), CS_OK);
	assert_string_equal(out, "Invoice 10452 from Acme");
	free(out);
	const char *longer = "Create your password for The Very Long Named Regional Waste and "
	                     "Recycling Hauling Company online account";
	assert_int_equal(mail_encode_header(&out, longer, 8), CS_OK);
	assert_non_null(strstr(out, "\r\n "));
	/* Unfolding gives the value back. */
	char *unfolded = strdup(out);
	char *w = unfolded;
	for (const char *p = out; *p; p++)
		if (*p != '\r' && *p != '\n')
			*w++ = *p;
	*w = '\0';
	assert_string_equal(unfolded, longer);
	free(unfolded);
	free(out);
}

static void header_line_breaks_cannot_inject_headers(void **state)
{
	(void)state;
	struct mail_message msg = sample();
	msg.subject = "Hello\r\nBcc: victim@example.com";
	msg.from.name = "Evil\nBcc: x@example.com";
	char *out = render(&msg);

	assert_null(strstr(out, "\r\nBcc:"));
	assert_non_null(strstr(out, "Subject: Hello  Bcc: victim@example.com\r\n"));
	free(out);
}

/* Decode every encoded word of `value`: the concatenation must be `expected`, and no word may
 * start inside a UTF-8 sequence or exceed 75 characters. */
static void assert_encoded_words(const char *value, const char *expected)
{
	unsigned char decoded[1024];
	size_t n = 0;
	const char *p = value;

	while ((p = strstr(p, "=?UTF-8?B?"))) {
		const char *end = strstr(p + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - p <= 75);
		size_t k = b64_decode(decoded + n, p + 10, (size_t)(end - p - 10));
		assert_true((decoded[n] & 0xC0) != 0x80);
		n += k;
		p = end + 2;
	}
	decoded[n] = '\0';
	assert_string_equal((const char *)decoded, expected);
}

static void non_ascii_header_becomes_encoded_words(void **state)
{
	(void)state;
	const char *subject = "Réinitialisez votre mot de passe Müller Entsorgung – Süd, "
	                      "Ärger mit Ölfässern? Große Grüße aus Köln";
	char *out = NULL;

	assert_int_equal(mail_encode_header(&out, subject, 8), CS_OK);
	assert_non_null(strstr(out, "\r\n ")); /* folded between words */
	assert_encoded_words(out, subject);
	assert_lines(out, 78);
	free(out);
	/* Text that looks like an encoded word is encoded too, so it reads back as written. */
	assert_int_equal(mail_encode_header(&out, "=?UTF-8?B?QQ==?=", 8), CS_OK);
	assert_encoded_words(out, "=?UTF-8?B?QQ==?=");
	free(out);
}

static void display_names_are_quoted_or_encoded(void **state)
{
	(void)state;
	struct mail_message msg = sample();
	msg.from.name = "Tom \"T\" & Jerry\\Co";
	char *out = render(&msg);
	assert_non_null(
	        strstr(out, "From: \"Tom \\\"T\\\" & Jerry\\\\Co\" <portal@mail.example>\r\n"));
	free(out);

	msg.from.name = "Müller Entsorgung";
	out = render(&msg);
	const char *from = strstr(out, "From: =?UTF-8?B?");
	assert_non_null(from);
	char line[256];
	size_t n = strcspn(from, "\r");
	memcpy(line, from, n);
	line[n] = '\0';
	assert_non_null(strstr(line, "?= <portal@mail.example>"));
	*strstr(line, " <portal") = '\0';
	assert_encoded_words(line, "Müller Entsorgung");
	free(out);
}

/* ---- bodies ---------------------------------------------------------------------------------- */

static void quoted_printable_rules(void **state)
{
	(void)state;
	char *out = NULL;

	assert_int_equal(mail_encode_qp(&out, "a=b café\n.dot\ntrailing \nend\t"), CS_OK);
	assert_string_equal(out, "a=3Db caf=C3=A9\r\n=2Edot\r\ntrailing=20\r\nend=09\r\n");
	free(out);
	/* CRLF input is not doubled. */
	assert_int_equal(mail_encode_qp(&out, "one\r\ntwo"), CS_OK);
	assert_string_equal(out, "one\r\ntwo\r\n");
	free(out);
}

static void quoted_printable_soft_breaks_keep_lines_short(void **state)
{
	(void)state;
	char text[400], *out = NULL;

	for (size_t i = 0; i < sizeof(text) - 1; i++)
		text[i] = i % 7 == 0 ? '=' : (char)('a' + i % 26);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(mail_encode_qp(&out, text), CS_OK);
	assert_lines(out, 76);
	/* Undo the encoding: the text comes back. */
	char *decoded = calloc(1, strlen(out) + 1), *w = decoded;
	for (const char *p = out; *p;) {
		if (p[0] == '=' && p[1] == '\r') {
			p += 3;
		} else if (p[0] == '=') {
			*w++ = (char)strtol((char[]){p[1], p[2], 0}, NULL, 16);
			p += 3;
		} else if (p[0] == '\r') {
			p += 2;
		} else {
			*w++ = *p++;
		}
	}
	assert_string_equal(decoded, text);
	free(decoded);
	free(out);
}

static void base64_known_answers_and_lines(void **state)
{
	(void)state;
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *want[] = {"",
	                      "Zg==\r\n",
	                      "Zm8=\r\n",
	                      "Zm9v\r\n",
	                      "Zm9vYg==\r\n",
	                      "Zm9vYmE=\r\n",
	                      "Zm9vYmFy\r\n"};
	char *out = NULL;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(
		        mail_encode_base64(&out, (const unsigned char *)in[i], strlen(in[i])),
		        CS_OK);
		assert_string_equal(out, want[i]);
		free(out);
	}
	unsigned char bytes[300], back[300];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7);
	assert_int_equal(mail_encode_base64(&out, bytes, sizeof(bytes)), CS_OK);
	assert_lines(out, 76);
	assert_int_equal(strcspn(out, "\r"), 76);
	assert_int_equal(b64_decode(back, out, strlen(out)), sizeof(bytes));
	assert_memory_equal(back, bytes, sizeof(bytes));
	free(out);
}

/* ---- attachments ----------------------------------------------------------------------------- */

static void attachments_make_multipart_mixed(void **state)
{
	(void)state;
	static const unsigned char pdf[] = "%PDF-1.4\n\x80\x81\x82 binary\n%%EOF\n";
	struct mail_attachment att[] = {
	        {"invoice-10452.pdf", "application/pdf", pdf, sizeof(pdf) - 1},
	        {"Rechnung für März.pdf", "application/pdf", pdf, 3},
	};
	struct mail_message msg = sample();
	msg.attachments = att;
	msg.attachment_count = 2;
	char *out = render(&msg), mixed[64], alt[64], delim[80];

	boundary_of(mixed, sizeof(mixed), out, "Content-Type: multipart/mixed");
	boundary_of(alt, sizeof(alt), out, "Content-Type: multipart/alternative");
	assert_string_not_equal(mixed, alt);
	snprintf(delim, sizeof(delim), "\r\n--%s\r\n", mixed);
	assert_int_equal(count(out, delim), 3); /* the body, then two attachments */
	snprintf(delim, sizeof(delim), "\r\n--%s--\r\n", mixed);
	assert_non_null(strstr(out, delim));
	/* The alternative sits inside the mixed part and closes before the attachments. */
	snprintf(delim, sizeof(delim), "--%s--", alt);
	assert_true(strstr(out, delim) < strstr(out, "Content-Disposition: attachment"));
	assert_non_null(strstr(out,
	                       "Content-Type: application/pdf;\r\n name=\"invoice-10452.pdf\"\r\n"
	                       "Content-Disposition: attachment;\r\n"
	                       " filename=\"invoice-10452.pdf\"\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n"));
	assert_non_null(strstr(out, "Content-Disposition: attachment;\r\n"
	                            " filename*=UTF-8''Rechnung%20f%C3%BCr%20M%C3%A4rz.pdf\r\n"));
	/* The attachment's bytes come back from its base64. */
	const char *data =
	        strstr(out, "filename=\"invoice-10452.pdf\"\r\nContent-Transfer-Encoding: "
	                    "base64\r\n\r\n");
	data = strstr(data, "\r\n\r\n") + 4;
	unsigned char back[128];
	assert_int_equal(b64_decode(back, data, strcspn(data, "-")), sizeof(pdf) - 1);
	assert_memory_equal(back, pdf, sizeof(pdf) - 1);
	assert_lines(out, 78);
	free(out);
}

static void bad_attachments_are_refused(void **state)
{
	(void)state;
	struct mail_attachment att = {"x.pdf", "application/pdf\r\nBcc: a@b.c", NULL, 0};
	struct mail_message msg = sample();
	char *out = NULL;
	size_t len = 0;

	msg.attachments = &att;
	msg.attachment_count = 1;
	assert_int_equal(mail_message_render(&out, &len, &msg), CS_EINVALID);
	att.content_type = "pdf";
	assert_int_equal(mail_message_render(&out, &len, &msg), CS_EINVALID);
	att.content_type = "application/pdf";
	att.filename = "";
	assert_int_equal(mail_message_render(&out, &len, &msg), CS_EINVALID);
	assert_null(out);
}

/* ---- templates ------------------------------------------------------------------------------- */

static const struct mail_branding brand = {
        .slug = "greenway",
        .name = "Tom & Jerry <Hauling>",
        .logo_url = "https://cdn.example/logo.png",
        .brand_color = "#0A7F3F",
        .currency = "USD",
        .contact_phone = "+1 217 555 0100",
        .contact_email = "billing@greenway.example",
        .contact_address = "1 Depot Rd\nSpringfield",
        .contact_website = "javascript:alert(1)",
};

static const char hostile_payload[] =
        "{\"customer_name\":\"<script>alert('x')</script>\",\"account_number\":\"A&B\","
        "\"first_name\":\"O\\\"Neil\",\"full_name\":\"<b>Pat</b>\",\"link_path\":\"go\","
        "\"token\":\"tok_EN-1\",\"invoice_number\":\"<i>7</i>\",\"invoice_date\":\"2026-03-05\","
        "\"due_date\":\"soon\",\"total_cents\":123456789,\"balance_cents\":-500,"
        "\"reference_number\":\"<i>7</i>\",\"amount_cents\":123456789,"
        "\"payment_date\":\"2026-03-05\",\"method_label\":\"<b>Pat</b>\","
        "\"invoices\":\"<i>7</i>\",\"failure_message\":\"<script>x</script>\","
        "\"message_subject\":\"<i>7</i>\",\"message\":\"<script>hi</script>\","
        "\"reply_to\":\"<b>Pat</b>\",\"next_attempt_date\":\"2026-03-06\","
        "\"attempts_left\":1,\"request_number\":\"<i>7</i>\",\"request_type\":\"<i>7</i>\","
        "\"location_name\":\"<b>Pat</b>\",\"location_address\":\"<i>7</i>\","
        "\"service_description\":\"<i>7</i>\",\"order_number\":\"<i>7</i>\","
        "\"requested_date\":\"<i>7</i>\",\"end_date\":\"<i>7</i>\",\"size_name\":\"<b>Pat</b>\","
        "\"rental_days\":7,\"price_cents\":123456789,\"note\":\"<script>x</script>\","
        "\"scheduled_date\":\"<i>7</i>\",\"decline_reason\":\"<script>x</script>\","
        "\"created_order_number\":\"<i>7</i>\",\"cancelled_by\":\"<b>Pat</b>\","
        "\"endpoint_url\":\"<b>Pat</b>\",\"endpoint_description\":\"<i>7</i>\","
        "\"failing_since\":\"<i>7</i>\",\"status\":\"declined\"}";

static void templates_escape_every_value_in_html(void **state)
{
	(void)state;
	for (const char *const *name = mail_template_names; *name; name++) {
		struct mail_request req = {*name, hostile_payload, "March 5, 2026 at 3:04 PM",
		                           "https://{tenant}.portal.example/", brand};
		struct mail_rendered r;
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_null(strstr(r.html, "<script>"));
		assert_null(strstr(r.html, "<b>Pat"));
		assert_null(strstr(r.html, "<i>7"));
		assert_null(strstr(r.html, "<Hauling>"));
		/* A website that is not a web URL is shown as text, never made a link. */
		assert_null(strstr(r.html, "href=\"javascript"));
		assert_non_null(strstr(r.html, "javascript:alert(1)<br>"));
		assert_non_null(strstr(r.html, "Tom &amp; Jerry &lt;Hauling&gt;"));
		assert_non_null(strstr(r.html, "1 Depot Rd<br>"));
		assert_non_null(strstr(r.text, "Tom & Jerry <Hauling>"));
		assert_non_null(strstr(r.html, "src=\"https://cdn.example/logo.png\""));
		assert_non_null(strstr(r.html, "#0A7F3F"));
		assert_non_null(strstr(r.text, "+1 217 555 0100"));
		/* The payment, autopay, service request and webhook emails say what happened, and
		 * a customer's message goes to the hauler: they carry no link. */
		if (strcmp(*name, "password_reset_google") && strncmp(*name, "payment_", 8) &&
		    strncmp(*name, "autopay_", 8) && strcmp(*name, "contact_message") &&
		    strncmp(*name, "service_request_", 16) && strncmp(*name, "webhook_", 8))
			assert_non_null(
			        strstr(r.text, "https://greenway.portal.example/go/tok_EN-1"));
		/* The platform's name never appears. */
		if (!strncmp(*name, "payment_", 8))
			assert_non_null(strstr(r.text, "$1,234,567.89"));
		assert_null(strcasestr(r.subject, "curbside"));
		assert_null(strcasestr(r.text, "curbside"));
		assert_null(strcasestr(r.html, "curbside"));
		mail_rendered_release(&r);
	}
}

static void template_subjects_and_details(void **state)
{
	(void)state;
	struct mail_branding plain = {.slug = "acme", .name = "Acme", .currency = "USD"};
	struct mail_request req = {"invoice_sent", hostile_payload, NULL,
	                           "http://localhost:5173/{tenant}", plain};
	struct mail_rendered r;

	assert_int_equal(mail_templates_render(&r, &req), CS_OK);
	assert_string_equal(r.subject, "Invoice <i>7</i> from Acme");
	assert_non_null(strstr(r.text, "Invoice date: March 5, 2026\n"));
	assert_non_null(strstr(r.text, "Due date: soon\n"));
	assert_non_null(strstr(r.text, "Total: $1,234,567.89\n"));
	assert_non_null(strstr(r.text, "Balance due: -$5.00\n"));
	assert_non_null(strstr(r.text, "http://localhost:5173/acme/go/tok_EN-1"));
	assert_null(strstr(r.html, "<img"));
	assert_null(strstr(r.text, "Phone:"));
	mail_rendered_release(&r);

	const char *subjects[][2] = {
	        {"create_password", "Create your password for Acme online account"},
	        {"invitation", "Acme invited you to your online account"},
	        {"email_verification", "Confirm your email for Acme"},
	        {"password_reset", "Reset your Acme password"},
	        {"password_reset_google", "Reset your Acme password"},
	        {"account_access", "You now have access to account A&B at Acme"},
	};
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		req.template_name = subjects[i][0];
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_string_equal(r.subject, subjects[i][1]);
		mail_rendered_release(&r);
	}
}

/* The payment emails end with the account's three figures, in the dashboard's and the
 * statement's words; a payload queued without them (before they existed) shows no such block. */
static void payment_templates_show_the_three_balances(void **state)
{
	(void)state;
	static const char *const names[] = {"payment_receipt", "payment_failed", "autopay_failed",
	                                    "autopay_disabled"};
	struct mail_branding plain = {.slug = "acme", .name = "Acme", .currency = "USD"};
	struct mail_request req = {NULL, NULL, NULL, "https://p.example/{tenant}", plain};
	struct mail_rendered r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		req.template_name = names[i];
		req.payload_json = "{\"reference_number\":\"P-1\",\"amount_cents\":500,"
		                   "\"outstanding_balance_cents\":1800,"
		                   "\"available_credit_cents\":2500,\"net_balance_cents\":-700}";
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_non_null(strstr(r.text, "\nOutstanding balance: $18.00\n"
		                               "Available credit: $25.00\nNet balance: -$7.00\n"));
		assert_non_null(strstr(r.html, ">Available credit</td><td>$25.00<"));
		assert_non_null(strstr(r.html, ">Net balance</td><td><strong>-$7.00<"));
		mail_rendered_release(&r);
		req.payload_json = "{\"reference_number\":\"P-1\",\"amount_cents\":500}";
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_null(strstr(r.text, "balance"));
		assert_null(strstr(r.html, "Available credit"));
		mail_rendered_release(&r);
	}
}

/* Issue 21: the proof emails greet a person (the one signing up, or the login's owner), never
 * the account's name; the invitation's button is the seeds' "Activate account"; an existing
 * login is told it has one more account and signs in, never asked to create a password. */
static void templates_greet_people_and_name_their_buttons(void **state)
{
	(void)state;
	struct mail_branding plain = {.slug = "acme", .name = "Acme"};
	struct mail_request req = {NULL,
	                           "{\"customer_name\":\"Lakeshore Rentals\",\"full_name\":"
	                           "\"Pat Jordan\",\"first_name\":\"Pat\",\"account_number\":"
	                           "\"100234\",\"link_path\":\"go\",\"token\":\"t1\"}",
	                           NULL, "https://p.example/{tenant}", plain};
	static const char *const proofs[] = {"email_verification", "account_link"};
	struct mail_rendered r;

	for (size_t i = 0; i < sizeof(proofs) / sizeof(proofs[0]); i++) {
		req.template_name = proofs[i];
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_non_null(strstr(r.text, "Hello Pat Jordan,\n"));
		assert_null(strstr(r.text, "Hello Lakeshore"));
		assert_non_null(strstr(r.html, "<p>Hello Pat Jordan,</p>"));
		mail_rendered_release(&r);
	}
	req.template_name = "invitation";
	assert_int_equal(mail_templates_render(&r, &req), CS_OK);
	assert_non_null(strstr(r.html, ">Activate account</a>"));
	mail_rendered_release(&r);
	req.template_name = "account_access";
	assert_int_equal(mail_templates_render(&r, &req), CS_OK);
	assert_string_equal(r.subject, "You now have access to account 100234 at Acme");
	assert_non_null(strstr(r.html, ">Sign in</a>"));
	assert_non_null(strstr(r.text, "https://p.example/acme/go/t1"));
	assert_null(strcasestr(r.text, "create your password"));
	assert_null(strcasestr(r.html, "create your password"));
	mail_rendered_release(&r);
}

/* Issue 25: the hauler reads a new request's details; the customer reads what each status change
 * did, in a subject of its own. */
static void service_request_templates(void **state)
{
	(void)state;
	static const char *const subjects[][2] = {
	        {"accepted", "Your request SR-00C0FFEE was accepted"},
	        {"scheduled", "Your request SR-00C0FFEE is scheduled for March 10, 2027"},
	        {"declined", "Your request SR-00C0FFEE was declined"},
	        {"completed", "Your request SR-00C0FFEE is complete"},
	        {"cancelled", "Your request SR-00C0FFEE was cancelled"},
	};
	struct mail_branding plain = {
	        .slug = "acme", .name = "Acme", .currency = "USD", .contact_phone = "+1 555 0100"};
	char payload[800];
	struct mail_request req = {"service_request_new", payload, NULL,
	                           "https://p.example/{tenant}", plain};
	struct mail_rendered r;
	const char *details =
	        "\"request_number\":\"SR-00C0FFEE\",\"request_type\":\"Roll-off delivery\","
	        "\"account_number\":\"100234\",\"customer_name\":\"Lakeshore Rentals\","
	        "\"location_address\":\"12 Oak St, Springfield, IL 62701\","
	        "\"requested_date\":\"2027-03-08\",\"size_name\":\"20-yard roll-off\","
	        "\"rental_days\":7,\"price_cents\":42500,\"note\":\"On the driveway\"";

	snprintf(payload, sizeof(payload),
	         "{%s,\"status\":\"new\",\"full_name\":\"Pat "
	         "Jordan\",\"reply_to\":\"pat@x.example\"}",
	         details);
	assert_int_equal(mail_templates_render(&r, &req), CS_OK);
	assert_string_equal(
	        r.subject,
	        "New service request SR-00C0FFEE from account 100234: Roll-off delivery");
	assert_non_null(strstr(r.text, "Pat Jordan made a service request from the customer portal "
	                               "for account 100234 (Lakeshore Rentals).\n"));
	assert_non_null(strstr(r.text, "Location: 12 Oak St, Springfield, IL 62701\n"
	                               "Size: 20-yard roll-off (7 rental days included)\n"
	                               "Date asked for: March 8, 2027\nPrice: $425.00\n"
	                               "Note: On the driveway\n"));
	assert_non_null(strstr(r.text, "answer Pat Jordan at pat@x.example."));
	mail_rendered_release(&r);

	req.template_name = "service_request_status";
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		snprintf(payload, sizeof(payload),
		         "{%s,\"status\":\"%s\",\"first_name\":\"Pat Jordan\","
		         "\"scheduled_date\":\"2027-03-10\",\"decline_reason\":\"No room\"}",
		         details, subjects[i][0]);
		assert_int_equal(mail_templates_render(&r, &req), CS_OK);
		assert_string_equal(r.subject, subjects[i][1]);
		assert_non_null(strstr(r.text, "Hello Pat Jordan,\n"));
		assert_non_null(strstr(r.text, "Scheduled for: March 10, 2027\n"));
		assert_non_null(strstr(r.text, "or call us at +1 555 0100."));
		/* One status's sentence, never another's. */
		assert_int_equal(strstr(r.text, "Reason: No room") != NULL, i == 2);
		assert_int_equal(strstr(r.text, "You cancelled your request SR-00C0FFEE") != NULL,
		                 i == 4);
		assert_int_equal(strstr(r.text, "Acme accepted") != NULL, i == 0);
		mail_rendered_release(&r);
	}

	/* A free hold: its two dates, no charge; someone else's cancellation names them. */
	snprintf(payload, sizeof(payload),
	         "{\"request_number\":\"SR-1\",\"request_type\":\"Vacation hold\","
	         "\"requested_date\":\"2027-03-08\",\"end_date\":\"2027-03-28\","
	         "\"price_cents\":0,\"status\":\"cancelled\",\"cancelled_by\":\"Sam Lee\"}");
	assert_int_equal(mail_templates_render(&r, &req), CS_OK);
	assert_non_null(strstr(r.text, "Sam Lee cancelled your request SR-1"));
	assert_non_null(
	        strstr(r.text, "Hold: March 8, 2027 to March 28, 2027\nPrice: no charge\n"));
	assert_null(strstr(r.text, "Date asked for"));
	assert_non_null(strstr(r.text, "Hello,\n"));
	mail_rendered_release(&r);
}

static void templates_refuse_what_cannot_be_sent(void **state)
{
	(void)state;
	struct mail_branding plain = {.slug = "acme", .name = "Acme"};
	struct mail_request req = {"invitation", "{\"link_path\":\"invitations\"}", NULL,
	                           "https://p.example/{tenant}", plain};
	struct mail_rendered r;

	assert_int_equal(mail_templates_render(&r, &req), CS_EINVALID);
	assert_null(r.subject);
	req.payload_json = "{\"link_path\":\"../x\",\"token\":\"a/b\"}";
	assert_int_equal(mail_templates_render(&r, &req), CS_EINVALID);
	req.payload_json = "[1]";
	assert_int_equal(mail_templates_render(&r, &req), CS_EINVALID);
	req.payload_json = "{}";
	req.template_name = "newsletter";
	assert_int_equal(mail_templates_render(&r, &req), CS_EINVALID);
	assert_false(mail_templates_known("newsletter"));
	assert_true(mail_templates_known("invoice_sent"));
}

static void money_and_links(void **state)
{
	(void)state;
	char buf[32], *link = NULL;

	assert_int_equal(mail_format_money(buf, sizeof(buf), 0, "USD"), CS_OK);
	assert_string_equal(buf, "$0.00");
	assert_int_equal(mail_format_money(buf, sizeof(buf), 99999, "USD"), CS_OK);
	assert_string_equal(buf, "$999.99");
	assert_int_equal(mail_format_money(buf, sizeof(buf), 123456, "USD"), CS_OK);
	assert_string_equal(buf, "$1,234.56");
	assert_int_equal(mail_format_money(buf, sizeof(buf), 123456, "EUR"), CS_OK);
	assert_string_equal(buf, "1234.56 EUR");
	assert_int_equal(mail_format_money(buf, sizeof(buf), -7, "CAD"), CS_OK);
	assert_string_equal(buf, "-0.07 CAD");
	assert_int_equal(mail_format_money(buf, 4, 123456, "USD"), CS_EINVALID);

	assert_int_equal(link_token_url(&link, "https://{tenant}.p.example/{tenant}/", "acme",
	                                "reset-password", "Ab_-9"),
	                 CS_OK);
	assert_string_equal(link, "https://acme.p.example/acme/reset-password/Ab_-9");
	free(link);
	assert_int_equal(link_token_url(&link, "https://p.example", "acme", "pay", "a?b"),
	                 CS_EINVALID);
	assert_int_equal(link_token_url(&link, "https://p.example", "acme", "/pay", "ab"),
	                 CS_EINVALID);

	char *escaped = mail_html_escape("<a href=\"x\">Tom & 'Jerry'</a>");
	assert_string_equal(escaped,
	                    "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
	free(escaped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(headers_and_alternative_structure),
	        cmocka_unit_test(text_only_message_is_a_single_part),
	        cmocka_unit_test(invalid_addresses_are_refused),
	        cmocka_unit_test(ascii_header_is_kept_and_folded),
	        cmocka_unit_test(header_line_breaks_cannot_inject_headers),
	        cmocka_unit_test(non_ascii_header_becomes_encoded_words),
	        cmocka_unit_test(display_names_are_quoted_or_encoded),
	        cmocka_unit_test(quoted_printable_rules),
	        cmocka_unit_test(quoted_printable_soft_breaks_keep_lines_short),
	        cmocka_unit_test(base64_known_answers_and_lines),
	        cmocka_unit_test(attachments_make_multipart_mixed),
	        cmocka_unit_test(bad_attachments_are_refused),
	        cmocka_unit_test(templates_escape_every_value_in_html),
	        cmocka_unit_test(template_subjects_and_details),
	        cmocka_unit_test(payment_templates_show_the_three_balances),
	        cmocka_unit_test(templates_greet_people_and_name_their_buttons),
	        cmocka_unit_test(service_request_templates),
	        cmocka_unit_test(templates_refuse_what_cannot_be_sent),
	        cmocka_unit_test(money_and_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
