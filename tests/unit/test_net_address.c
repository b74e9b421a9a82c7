/* Which addresses a webhook may reach (core/net_address). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "core/net_address.h"

static void refuses_private_ipv4(void **state)
{
	(void)state;
	const char *blocked[] = {"10.0.0.1",        "10.255.255.255", "172.16.0.1",
	                         "172.31.255.254",  "192.168.1.1",    "100.64.0.1",
	                         "100.127.255.255", "127.0.0.1",      "127.8.9.10",
	                         "169.254.169.254", "0.0.0.0",        "224.0.0.1",
	                         "239.255.255.250", "255.255.255.255"};

	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		assert_true(net_address_text_blocked(blocked[i]));
}

static void accepts_public_ipv4(void **state)
{
	(void)state;
	const char *public[] = {"8.8.8.8",    "1.1.1.1",       "172.15.255.255", "172.32.0.1",
	                        "100.63.0.1", "100.128.0.1",   "169.253.1.1",    "192.169.0.1",
	                        "11.0.0.1",   "93.184.216.34", "126.255.255.255"};

	for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		assert_false(net_address_text_blocked(public[i]));
}

static void refuses_private_ipv6_and_mapped_forms(void **state)
{
	(void)state;
	const char *blocked[] = {"::1",
	                         "::",
	                         "fe80::1",
	                         "febf::1",
	                         "fc00::1",
	                         "fd12:3456::1",
	                         "ff02::1",
	                         "::ffff:127.0.0.1",
	                         "::ffff:10.1.2.3",
	                         "::ffff:169.254.169.254",
	                         "::ffff:192.168.0.1",
	                         "::127.0.0.1",
	                         "64:ff9b::10.0.0.1"};

	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		assert_true(net_address_text_blocked(blocked[i]));
}

static void accepts_public_ipv6(void **state)
{
	(void)state;
	assert_false(net_address_text_blocked("2001:4860:4860::8888"));
	assert_false(net_address_text_blocked("2606:4700::1111"));
	assert_false(net_address_text_blocked("::ffff:8.8.8.8"));
	assert_false(net_address_text_blocked("64:ff9b::8.8.8.8"));
}

static void text_that_is_no_address_is_not_judged(void **state)
{
	(void)state;
	assert_false(net_address_text_blocked("example.com"));
	assert_false(net_address_text_blocked("10.0.0"));
	assert_false(net_address_text_blocked(""));
	assert_false(net_address_text_blocked(NULL));
}

static void judges_socket_addresses(void **state)
{
	(void)state;
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr other = {.sa_family = AF_UNIX};

	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &in.sin_addr), 1);
	assert_true(net_address_blocked((struct sockaddr *)&in));
	assert_int_equal(inet_pton(AF_INET, "8.8.4.4", &in.sin_addr), 1);
	assert_false(net_address_blocked((struct sockaddr *)&in));
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.0.0.7", &in6.sin6_addr), 1);
	assert_true(net_address_blocked((struct sockaddr *)&in6));
	assert_true(net_address_blocked(&other));
	assert_true(net_address_blocked(NULL));
}

static void knows_loopback_hosts(void **state)
{
	(void)state;
	assert_true(net_address_is_loopback_host("localhost"));
	assert_true(net_address_is_loopback_host("LocalHost"));
	assert_true(net_address_is_loopback_host("127.0.0.1"));
	assert_true(net_address_is_loopback_host("127.1.2.3"));
	assert_true(net_address_is_loopback_host("[::1]"));
	assert_true(net_address_is_loopback_host("::1"));
	assert_false(net_address_is_loopback_host("10.0.0.1"));
	assert_false(net_address_is_loopback_host("localhost.example.com"));
	assert_false(net_address_is_loopback_host("[::ffff:10.0.0.1]"));
	assert_false(net_address_is_loopback_host(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(refuses_private_ipv4),
	        cmocka_unit_test(accepts_public_ipv4),
	        cmocka_unit_test(refuses_private_ipv6_and_mapped_forms),
	        cmocka_unit_test(accepts_public_ipv6),
	        cmocka_unit_test(text_that_is_no_address_is_not_judged),
	        cmocka_unit_test(judges_socket_addresses),
	        cmocka_unit_test(knows_loopback_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
