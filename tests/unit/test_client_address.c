/* The client's address behind trusted load balancers (X-Forwarded-For), and the list's parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "http/client_address.h"

static struct sockaddr_in v4(const char *text)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};

	assert_int_equal(inet_pton(AF_INET, text, &sa.sin_addr), 1);
	return sa;
}

/* The address resolved for a peer and a header, with `list` trusted. */
static const char *resolve(const char *list, const char *peer, const char *forwarded_for)
{
	static char out[CLIENT_ADDRESS_SIZE];
	struct trusted_proxies *proxies = NULL;
	struct sockaddr_in sa = v4(peer);

	assert_int_equal(trusted_proxies_parse(&proxies, list), CS_OK);
	client_address_resolve(out, sizeof(out), proxies, (const struct sockaddr *)&sa,
	                       forwarded_for);
	trusted_proxies_free(proxies);
	return out;
}

static void without_trusted_balancers_the_peer_is_the_client(void **state)
{
	(void)state;
	assert_string_equal(resolve("", "198.51.100.4", NULL), "198.51.100.4");
	assert_string_equal(resolve("", "198.51.100.4", "203.0.113.7"), "198.51.100.4");
	/* A header from a peer that is not a trusted balancer is not believed. */
	assert_string_equal(resolve("127.0.0.1", "198.51.100.4", "203.0.113.7"), "198.51.100.4");
}

static void a_trusted_balancer_names_the_client(void **state)
{
	(void)state;
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", "203.0.113.7"), "203.0.113.7");
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", NULL), "127.0.0.1");
	/* What the client wrote itself is left of what the balancer added. */
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", "1.1.1.1, 203.0.113.7"),
	                    "203.0.113.7");
	/* Hops through trusted networks are skipped. */
	assert_string_equal(resolve("127.0.0.1,10.0.0.0/8", "127.0.0.1", "203.0.113.7 , 10.1.2.3"),
	                    "203.0.113.7");
	/* Every hop trusted: the first one. */
	assert_string_equal(resolve("10.0.0.0/8,127.0.0.1", "127.0.0.1", "10.0.0.9,10.0.0.8"),
	                    "10.0.0.9");
}

static void a_malformed_hop_ends_the_walk(void **state)
{
	(void)state;
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", "nonsense, 203.0.113.7"),
	                    "203.0.113.7");
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", "203.0.113.7, nonsense"),
	                    "127.0.0.1");
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", "203.0.113.7:443"), "127.0.0.1");
	assert_string_equal(resolve("127.0.0.1", "127.0.0.1", ""), "127.0.0.1");
}

static void an_ipv4_peer_on_a_dual_stack_listener_is_ipv4(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
	struct trusted_proxies *proxies = NULL;
	char out[CLIENT_ADDRESS_SIZE];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &sa.sin6_addr), 1);
	assert_int_equal(trusted_proxies_parse(&proxies, "127.0.0.0/8"), CS_OK);
	client_address_resolve(out, sizeof(out), proxies, (const struct sockaddr *)&sa,
	                       "2001:db8::7");
	assert_string_equal(out, "2001:db8::7");
	trusted_proxies_free(proxies);
}

static void the_list_refuses_what_is_not_an_address(void **state)
{
	struct trusted_proxies *proxies = (void *)1;

	(void)state;
	assert_int_equal(trusted_proxies_parse(&proxies, ""), CS_OK);
	assert_null(proxies);
	assert_int_equal(trusted_proxies_parse(&proxies, "10.0.0.0/33"), CS_EINVALID);
	assert_int_equal(trusted_proxies_parse(&proxies, "haproxy"), CS_EINVALID);
	assert_int_equal(trusted_proxies_parse(&proxies, "127.0.0.1,"), CS_EINVALID);
	assert_int_equal(trusted_proxies_parse(&proxies, "10.0.0.0/"), CS_EINVALID);
	assert_int_equal(trusted_proxies_parse(&proxies, " 10.0.0.0/8 , ::1/128"), CS_OK);
	assert_non_null(proxies);
	trusted_proxies_free(proxies);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(without_trusted_balancers_the_peer_is_the_client),
	        cmocka_unit_test(a_trusted_balancer_names_the_client),
	        cmocka_unit_test(a_malformed_hop_ends_the_walk),
	        cmocka_unit_test(an_ipv4_peer_on_a_dual_stack_listener_is_ipv4),
	        cmocka_unit_test(the_list_refuses_what_is_not_an_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
