#include "core/validate.h"

#include <ctype.h>
#include <string.h>

#include "core/uuid.h"

static bool is_atext(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool valid_local_part(const char *s, size_t len, const char **reason)
{
	if (len == 0 || len > 64) {
		*reason = len ? "The part before @ is longer than 64 characters."
		              : "The part before @ is empty.";
		return false;
	}
	if (s[0] == '.' || s[len - 1] == '.') {
		*reason = "The part before @ cannot start or end with a dot.";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.') {
			*reason = "The address cannot contain two dots in a row.";
			return false;
		}
		if (s[i] != '.' && !is_atext((unsigned char)s[i])) {
			*reason = "The address contains an invalid character.";
			return false;
		}
	}
	return true;
}

static bool valid_domain(const char *s, size_t len, const char **reason)
{
	size_t label_start = 0, labels = 0;

	*reason = "The domain after @ is not valid.";
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			unsigned char c = (unsigned char)s[i];
			if (!isalnum(c) && c != '-') {
				*reason = "The address contains an invalid character.";
				return false;
			}
			continue;
		}
		size_t label_len = i - label_start;
		if (label_len == 0 || label_len > 63 || s[label_start] == '-' || s[i - 1] == '-')
			return false;
		labels++;
		if (i == len) {
			/* The top-level label must be alphabetic and at least two letters. */
			if (label_len < 2)
				return false;
			for (size_t j = label_start; j < len; j++)
				if (!isalpha((unsigned char)s[j]))
					return false;
		}
		label_start = i + 1;
	}
	return labels >= 2;
}

const char *validate_trim(const char *s, size_t *len)
{
	const char *end = s + strlen(s);

	while (s < end && is_blank((unsigned char)*s))
		s++;
	while (end > s && is_blank((unsigned char)end[-1]))
		end--;
	*len = (size_t)(end - s);
	return s;
}

bool validate_email(const char *in, char out[VALIDATE_EMAIL_MAX + 1], const char **reason)
{
	size_t len;
	const char *start = validate_trim(in, &len), *end = start + len;
	if (len == 0) {
		*reason = "The email address is empty.";
		return false;
	}
	if (len > VALIDATE_EMAIL_MAX) {
		*reason = "The email address is longer than 254 characters.";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (is_blank((unsigned char)start[i])) {
			*reason = "The email address contains a space.";
			return false;
		}
	}
	const char *at = memchr(start, '@', len);
	if (!at || memchr(at + 1, '@', (size_t)(end - at - 1))) {
		*reason = at ? "The email address contains more than one @."
		             : "The email address has no @.";
		return false;
	}
	if (!valid_local_part(start, (size_t)(at - start), reason) ||
	    !valid_domain(at + 1, (size_t)(end - at - 1), reason))
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)start[i]);
	out[len] = '\0';
	return true;
}

bool validate_uuid(const char *s)
{
	if (!s || strlen(s) != UUID_TEXT_LEN)
		return false;
	for (int i = 0; i < UUID_TEXT_LEN; i++) {
		bool hyphen_place = i == 8 || i == 13 || i == 18 || i == 23;
		if (hyphen_place ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

bool validate_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return false;
	int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int month = (s[5] - '0') * 10 + (s[6] - '0');
	int day = (s[8] - '0') * 10 + (s[9] - '0');
	return year >= 1900 && month >= 1 && month <= 12 && day >= 1 &&
	       day <= days_in_month(year, month);
}

static int two_digits(const char *s)
{
	return all_digits(s, 2) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

bool validate_instant_us(const char *s)
{
	char date[11];

	if (!s || strlen(s) != 27 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
	    s[26] != 'Z' || !all_digits(s + 20, 6))
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	int hour = two_digits(s + 11), minute = two_digits(s + 14), second = two_digits(s + 17);
	return validate_date(date) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 &&
	       second >= 0 && second <= 59;
}

bool validate_slug(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(islower(c) || isdigit(c) || c == '-'))
			return false;
	}
	return true;
}

bool validate_http_url(const char *s)
{
	size_t len = strlen(s), scheme;

	if (len > 2048)
		return false;
	if (strncmp(s, "https://", 8) == 0)
		scheme = 8;
	else if (strncmp(s, "http://", 7) == 0)
		scheme = 7;
	else
		return false;
	if (len == scheme || s[scheme] == '/' || s[scheme] == '?' || s[scheme] == '#')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

bool validate_hex_color(const char *s)
{
	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool validate_currency(const char *s)
{
	return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	       isupper((unsigned char)s[2]);
}

bool validate_time_zone_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64 || !isalpha((unsigned char)s[0]) || s[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' && s[i + 1] == '/')
			return false;
		if (!(isalnum(c) || c == '_' || c == '-' || c == '+' || c == '/'))
			return false;
	}
	return true;
}

/* The length of the UTF-8 sequence starting at `s`, 0 when it is not well-formed. */
static int utf8_sequence(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4 || (s[1] & 0xc0) != 0x80)
		return 0;
	if (s[0] < 0xe0)
		return 2;
	/* The second byte's range rules out overlong forms, surrogates and values past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f) || (s[2] & 0xc0) != 0x80)
		return 0;
	if (s[0] < 0xf0)
		return 3;
	return (s[3] & 0xc0) == 0x80 ? 4 : 0;
}

bool validate_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = utf8_sequence(p);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

size_t validate_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool validate_plain_text(const char *s, bool multiline)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (multiline && (c == '\n' || c == '\r'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}
