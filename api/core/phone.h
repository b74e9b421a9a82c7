/* Phone numbers (of text messages, of the SMS sender in the configuration): the E.164 shape, and
 * the masked form logs carry. Pure code. */
#ifndef CURBSIDE_CORE_PHONE_H
#define CURBSIDE_CORE_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* True for `len` bytes of `s` that are an E.164 number: '+', then 8 to 15 digits, the first not
 * zero. NULL is false. */
bool phone_valid(const char *s, size_t len);

/* The number with every digit but the last four hidden ("+*******0123"), into `out` (`cap`
 * bytes, truncated). Logs never carry a whole number. */
void phone_mask(char *out, size_t cap, const char *phone);

/* Mask in place every number of 8 or more digits in `text` (an API's error message may quote
 * the number it refused) to its last four digits, before the text is logged or stored. */
void phone_scrub(char *text);

#endif
