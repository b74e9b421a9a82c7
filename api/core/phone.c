#include "core/phone.h"

#include <stdio.h>
#include <string.h>

#define E164_MIN_DIGITS 8
#define E164_MAX_DIGITS 15
#define SHOWN_DIGITS    4

bool phone_valid(const char *s, size_t len)
{
	if (!s || len < 1 + E164_MIN_DIGITS || len > 1 + E164_MAX_DIGITS || s[0] != '+' ||
	    s[1] == '0')
		return false;
	for (size_t i = 1; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

void phone_mask(char *out, size_t cap, const char *phone)
{
	size_t len = phone ? strlen(phone) : 0, i;

	if (!cap)
		return;
	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = i == 0 || i + SHOWN_DIGITS >= len ? phone[i] : '*';
	out[i] = '\0';
}

void phone_scrub(char *text)
{
	for (char *p = text; *p;) {
		size_t digits = strspn(p, "0123456789");
		if (digits >= E164_MIN_DIGITS)
			memset(p, '*', digits - SHOWN_DIGITS);
		p += digits ? digits : 1;
	}
}
