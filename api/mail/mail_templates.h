/*
 * The emails customers receive, rendered from the templates in api/mail/templates/ (compiled in):
 * `<name>.txt` (a "Subject:" line, a blank line, the text body) and `<name>.html` (the HTML body),
 * each wrapped in `layout.txt` / `layout.html` with the hauler's branding and contact block.
 *
 * Template syntax (a small subset of mustache): {{name}} inserts a value (HTML-escaped in HTML),
 * {{{name}}} inserts it as is, {{#name}}...{{/name}} keeps its content when the value is not
 * empty, {{^name}}...{{/name}} when it is. An unknown name is an error (a template bug).
 * Pure code: no I/O.
 */
#ifndef CURBSIDE_MAIL_TEMPLATES_H
#define CURBSIDE_MAIL_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The tenant's branding, as the outbox claim returns it. Any member may be NULL but slug/name. */
struct mail_branding {
	const char *slug;
	const char *name;
	const char *logo_url;
	const char *brand_color; /* "#rrggbb" */
	const char *currency;    /* ISO 4217, e.g. "USD" */
	const char *contact_phone;
	const char *contact_email;
	const char *contact_address;
	const char *contact_website;
};

/* What one outbox row needs rendered. */
struct mail_request {
	const char *template_name; /* create_password, invitation, ... */
	const char *payload_json;  /* the row's payload (a JSON object) */
	const char *expires_local; /* payload.expires_at in the tenant's time zone, or NULL */
	const char *public_url;    /* CURBSIDE_PUBLIC_URL */
	struct mail_branding brand;
};

/* A rendered email (strings owned; release with mail_rendered_release). */
struct mail_rendered {
	char *subject;
	char *text;
	char *html;
};

/*
 * Render the request. CS_EINVALID (with cs_error_last()->detail saying why) when the template is
 * unknown or the payload lacks what the template needs (a link's link_path and token); such a
 * row can never be sent. CS_EINTERNAL for a template bug; CS_ENOMEM.
 */
int mail_templates_render(struct mail_rendered *out, const struct mail_request *req) CS_MUST_CHECK;

/* Free the strings of `r` (NULL-safe members). */
void mail_rendered_release(struct mail_rendered *r);

/* True when `name` is a template the renderer knows. */
bool mail_templates_known(const char *name);

/* The names of every template (NULL-terminated), for tests. */
extern const char *const mail_template_names[];

/*
 * `cents` in `currency`: USD as "$1,234.56" ("-$5.00" when negative), any other currency as
 * "1234.56 EUR". CS_EINVALID when it does not fit `size`.
 */
int mail_format_money(char *buf, size_t size, long long cents, const char *currency) CS_MUST_CHECK;

/* `text` with & < > " ' escaped for HTML and line breaks as <br> (malloc'd; NULL on ENOMEM). */
char *mail_html_escape(const char *text);

#endif
