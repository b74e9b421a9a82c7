/* base64url encoding and decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/b64url.h"

static void encodes_rfc4648_vectors(void **state)
{
	(void)state;
	char out[16];

	b64url_encode(out, (const unsigned char *)"f", 1);
	assert_string_equal(out, "Zg");
	b64url_encode(out, (const unsigned char *)"fo", 2);
	assert_string_equal(out, "Zm8");
	b64url_encode(out, (const unsigned char *)"foo", 3);
	assert_string_equal(out, "Zm9v");
	b64url_encode(out, (const unsigned char *)"\xfb\xff", 2);
	assert_string_equal(out, "-_8");
	assert_int_equal(b64url_encoded_len(32), 43);
}

static void decodes_what_it_encodes(void **state)
{
	(void)state;
	unsigned char raw[64], back[64];
	char text[100];
	size_t n = 0;

	for (int i = 0; i < 64; i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(raw); len++) {
		b64url_encode(text, raw, len);
		assert_int_equal(b64url_decode(back, sizeof(back), &n, text, strlen(text)), CS_OK);
		assert_int_equal(n, len);
		assert_memory_equal(back, raw, len);
	}
}

static void refuses_bad_input(void **state)
{
	(void)state;
	unsigned char out[8];
	size_t n = 0;

	assert_int_equal(b64url_decode(out, sizeof(out), &n, "Zm9v+", 5), CS_EINVALID);
	assert_int_equal(b64url_decode(out, sizeof(out), &n, "Zm9v=", 5), CS_EINVALID);
	assert_int_equal(b64url_decode(out, sizeof(out), &n, "Z", 1), CS_EINVALID);
	assert_int_equal(b64url_decode(out, 2, &n, "Zm9v", 4), CS_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(encodes_rfc4648_vectors),
	        cmocka_unit_test(decodes_what_it_encodes),
	        cmocka_unit_test(refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
