/*
 * The stripe processor's client against the local fake (tests/fakes/stripe_fake.py, started on a
 * free port for each test): charges by idempotency key, declines as outcomes, ACH pending then
 * settled, lookups, refunds, and the answers whose outcome is unknown (500, timeouts).
 * argv[1] is the fake's path; the test is skipped when /usr/bin/python3 is missing.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "config.h"
#include "processors/processor.h"

#define FAKE_KEY "sk_test_unit"

static const char *fake_path;

/* CURBSIDE_TEST_WAIT_SCALE (tests/lib/procs.bash; scripts/test exports it): how many times longer
 * than on an idle machine to wait for the fake. 1 when unset. */
static int wait_scale(void)
{
	const char *s = getenv("CURBSIDE_TEST_WAIT_SCALE");
	int n = s ? atoi(s) : 1;

	return n > 0 && n <= 60 ? n : 1;
}

struct fixture {
	pid_t pid;
	char url[64];
	struct processor *p;
};

static int start_fake(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fds[2];
	char line[128] = "";
	int port = 0;

	assert_non_null(f);
	assert_int_equal(pipe(fds), 0);
	f->pid = fork();
	if (f->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl("/usr/bin/python3", "python3", fake_path, "--port", "0", "--key", FAKE_KEY,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *out = fdopen(fds[0], "r");
	if (!out || !fgets(line, sizeof(line), out) ||
	    sscanf(line, "stripe_fake listening on 127.0.0.1:%d", &port) != 1)
		fail_msg("the fake did not start: %s", line);
	fclose(out);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", port);

	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.payments = "stripe";
	cfg.stripe_url = f->url;
	cfg.stripe_key = FAKE_KEY;
	cfg.stripe_connect_timeout_ms = 500 * wait_scale();
	cfg.stripe_timeout_ms = 1000 * wait_scale();
	assert_int_equal(processor_open(&f->p, &cfg), CS_OK);
	assert_string_equal(processor_name(f->p), "stripe");
	*state = f;
	return 0;
}

static int stop_fake(void **state)
{
	struct fixture *f = *state;

	processor_close(f->p);
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	free(f);
	return 0;
}

/* POST a control call to the fake; answers its body in `out` (may be NULL). */
static size_t keep(char *ptr, size_t size, size_t n, void *userdata)
{
	char *out = userdata;
	size_t have = strlen(out), len = size * n;

	if (have + len < 4096) {
		memcpy(out + have, ptr, len);
		out[have + len] = '\0';
	}
	return size * n;
}

static void control(struct fixture *f, const char *method, const char *path, const char *json,
                    char *out)
{
	char url[128], sink[4096] = "";
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

	snprintf(url, sizeof(url), "%s%s", f->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (json)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : sink);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static void method(struct fixture *f, struct processor_method *m, const char *token)
{
	assert_int_equal(processor_create_method(f->p, m, token), CS_OK);
}

static void methods_are_described(void **state)
{
	struct fixture *f = *state;
	struct processor_method m;

	method(f, &m, "tok_visa");
	assert_true(strncmp(m.ref, "pm_", 3) == 0);
	assert_string_equal(m.type, "card");
	assert_string_equal(m.brand, "visa");
	assert_string_equal(m.last4, "4242");
	assert_int_equal(m.exp_month, 12);
	method(f, &m, "tok_bank_account");
	assert_string_equal(m.type, "bank_account");
	assert_string_equal(m.bank_name, "STRIPE TEST BANK");
	assert_int_equal(m.exp_year, 0);
	assert_int_equal(processor_create_method(f->p, &m, "tok_bogus"), CS_EINVALID);
	assert_string_equal(cs_error_last()->code, "invalid_payment_token");
}

static void the_same_key_charges_once(void **state)
{
	struct fixture *f = *state;
	struct processor_method m;
	struct processor_charge a, b, look;
	char counts[4096] = "";

	method(f, &m, "tok_visa");
	assert_int_equal(processor_charge(f->p, &a, m.ref, 2500, "USD", "order-1"), CS_OK);
	assert_int_equal(a.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_charge(f->p, &b, m.ref, 2500, "usd", "order-1"), CS_OK);
	assert_string_equal(a.ref, b.ref);
	control(f, "GET", "/_control/charges", NULL, counts);
	assert_non_null(strstr(counts, "\"order-1\": 1"));
	/* The same key for another amount is refused, not charged. */
	assert_int_equal(processor_charge(f->p, &b, m.ref, 9999, "usd", "order-1"), CS_EINVALID);
	assert_string_equal(cs_error_last()->code, "idempotency_key_reused");
	assert_int_equal(processor_lookup_charge(f->p, &look, a.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_lookup_charge(f->p, &look, "pi_missing"), CS_EINVALID);
}

static void declines_are_outcomes(void **state)
{
	struct fixture *f = *state;
	struct processor_method m;
	struct processor_charge c, again;

	method(f, &m, "tok_chargeDeclined");
	assert_int_equal(processor_charge(f->p, &c, m.ref, 1000, "usd", "d-1"), CS_OK);
	assert_int_equal(c.status, PROCESSOR_FAILED);
	assert_string_equal(c.failure_code, "card_declined");
	assert_string_equal(c.failure_message, "Your card was declined.");
	assert_true(strncmp(c.ref, "pi_", 3) == 0);
	/* A replayed 402 is the same declined charge. */
	assert_int_equal(processor_charge(f->p, &again, m.ref, 1000, "usd", "d-1"), CS_OK);
	assert_string_equal(again.ref, c.ref);
	assert_int_equal(again.status, PROCESSOR_FAILED);

	method(f, &m, "tok_insufficientFunds");
	assert_int_equal(processor_charge(f->p, &c, m.ref, 1000, "usd", "d-2"), CS_OK);
	assert_string_equal(c.failure_code, "insufficient_funds");
	assert_int_equal(processor_lookup_charge(f->p, &again, c.ref), CS_OK);
	assert_int_equal(again.status, PROCESSOR_FAILED);
	assert_string_equal(again.failure_code, "insufficient_funds");

	/* The decline switch declines a good card. */
	method(f, &m, "tok_visa");
	control(f, "POST", "/_control/next", "{\"mode\": \"decline\"}", NULL);
	assert_int_equal(processor_charge(f->p, &c, m.ref, 1000, "usd", "d-3"), CS_OK);
	assert_int_equal(c.status, PROCESSOR_FAILED);
	assert_string_equal(c.failure_code, "card_declined");
}

static void bank_payments_are_pending_until_settled(void **state)
{
	struct fixture *f = *state;
	struct processor_method ok, returned;
	struct processor_charge a, b, look;
	struct processor_refund r;

	method(f, &ok, "tok_bank_account");
	method(f, &returned, "tok_bank_account_returned");
	assert_int_equal(processor_charge(f->p, &a, ok.ref, 5000, "usd", "ach-1"), CS_OK);
	assert_int_equal(a.status, PROCESSOR_PENDING);
	assert_int_equal(processor_charge(f->p, &b, returned.ref, 5000, "usd", "ach-2"), CS_OK);
	assert_int_equal(b.status, PROCESSOR_PENDING);
	assert_int_equal(processor_refund(f->p, &r, a.ref, 5000, "r-0"), CS_EINVALID);
	control(f, "POST", "/_control/settle", "{}", NULL);
	assert_int_equal(processor_lookup_charge(f->p, &look, a.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_lookup_charge(f->p, &look, b.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_FAILED);
	assert_string_equal(look.failure_code, "bank_account_returned");
	assert_int_equal(processor_refund(f->p, &r, a.ref, 2000, "r-1"), CS_OK);
	assert_int_equal(r.status, PROCESSOR_SUCCEEDED);
	assert_true(strncmp(r.ref, "re_", 3) == 0);
	struct processor_refund again;
	assert_int_equal(processor_refund(f->p, &again, a.ref, 2000, "r-1"), CS_OK);
	assert_string_equal(again.ref, r.ref);
}

static void unknown_outcomes_are_upstream_errors(void **state)
{
	struct fixture *f = *state;
	struct processor_method m;
	struct processor_charge c, retry;
	char counts[4096] = "";

	method(f, &m, "tok_visa");
	control(f, "POST", "/_control/next", "{\"mode\": \"error500\"}", NULL);
	assert_int_equal(processor_charge(f->p, &c, m.ref, 700, "usd", "u-1"), CS_EUPSTREAM);
	assert_string_equal(cs_error_last()->code, "payment_processor_unavailable");
	/* A timeout: the fake charged and holds its answer until released, so only our timeout ends
	 * the request; the retry with the key finds that charge. */
	control(f, "POST", "/_control/next", "{\"mode\": \"hold\"}", NULL);
	assert_int_equal(processor_charge(f->p, &c, m.ref, 800, "usd", "u-2"), CS_EUPSTREAM);
	control(f, "POST", "/_control/release", "{}", NULL);
	assert_int_equal(processor_charge(f->p, &retry, m.ref, 800, "usd", "u-2"), CS_OK);
	assert_int_equal(retry.status, PROCESSOR_SUCCEEDED);
	control(f, "GET", "/_control/charges", NULL, counts);
	assert_non_null(strstr(counts, "\"u-2\": 1"));
	assert_null(strstr(counts, "\"u-1\""));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(methods_are_described, start_fake, stop_fake),
	        cmocka_unit_test_setup_teardown(the_same_key_charges_once, start_fake, stop_fake),
	        cmocka_unit_test_setup_teardown(declines_are_outcomes, start_fake, stop_fake),
	        cmocka_unit_test_setup_teardown(bank_payments_are_pending_until_settled, start_fake,
	                                        stop_fake),
	        cmocka_unit_test_setup_teardown(unknown_outcomes_are_upstream_errors, start_fake,
	                                        stop_fake),
	};

	if (argc < 2 || access("/usr/bin/python3", X_OK) != 0) {
		printf("skipped: no fake path or no /usr/bin/python3\n");
		return 77;
	}
	fake_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
