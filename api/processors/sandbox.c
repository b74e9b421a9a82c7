/*
 * The sandbox processor: in-process, deterministic, no storage. Every ref encodes what later
 * calls need, so its state survives restarts and is shared by every process:
 *   method  pm_sandbox_<kind>_<16 random hex>
 *   charge  pi_sandbox_<kind>_<amount>_<created unix seconds>_<24 hex of SHA-256(key)>
 *   refund  re_sandbox_<24 hex of SHA-256(key)>
 * <kind> is the test token without "tok_". Card charges have created 0, so the same key gives
 * the same ref in any process; a bank charge carries the instant it was made (its settlement
 * depends on it), remembered in memory by key so a retry in this process gets the same ref.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/random.h"
#include "processors/processor_impl.h"

#define METHOD_PREFIX "pm_sandbox_"
#define CHARGE_PREFIX "pi_sandbox_"
#define REFUND_PREFIX "re_sandbox_"
#define KEY_HASH_LEN  24
#define MEMO_SLOTS    4096

/* A test token and what it does. */
struct sandbox_kind {
	const char *name; /* the token without "tok_" */
	const char *type;
	const char *brand;
	const char *last4;
	const char *bank_name;
	const char *failure_code; /* NULL: the charge succeeds (banks: once settled) */
	const char *failure_message;
};

static const struct sandbox_kind kinds[] = {
        {"visa", "card", "visa", "4242", NULL, NULL, NULL},
        {"mastercard", "card", "mastercard", "4444", NULL, NULL, NULL},
        {"amex", "card", "amex", "0005", NULL, NULL, NULL},
        {"chargeDeclined", "card", "visa", "0002", NULL, "card_declined",
         "Your card was declined."},
        {"insufficientFunds", "card", "visa", "9995", NULL, "insufficient_funds",
         "Your card has insufficient funds."},
        {"bank_account", "bank_account", NULL, "6789", "STRIPE TEST BANK", NULL, NULL},
        {"bank_account_returned", "bank_account", NULL, "0002", "STRIPE TEST BANK",
         "bank_account_returned",
         "Your bank returned the payment: the account could not be debited."},
};

#define SANDBOX_EXP_MONTH 12
#define SANDBOX_EXP_YEAR  2034

/* What this process charged under a key (a retry answers the same ref). */
struct memo {
	char key_hash[KEY_HASH_LEN + 1];
	char ref[128];
};

struct sandbox {
	struct processor base;
	int settle_seconds;
	pthread_mutex_t lock;
	struct memo memo[MEMO_SLOTS];
	size_t next; /* the slot the next charge overwrites */
};

static const struct sandbox_kind *kind_named(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == len && !strncmp(kinds[i].name, name, len))
			return &kinds[i];
	return NULL;
}

static bool all_of(const char *s, size_t len, const char *set)
{
	return len > 0 && strspn(s, set) == len;
}

static bool is_card(const struct sandbox_kind *k)
{
	return !strcmp(k->type, "card");
}

/* The kind of a method ref; NULL when it is not one of ours. */
static const struct sandbox_kind *method_kind(const char *ref)
{
	size_t plen = strlen(METHOD_PREFIX);
	const char *last = strrchr(ref, '_');

	if (strncmp(ref, METHOD_PREFIX, plen) || !last || last < ref + plen ||
	    strlen(last + 1) != 16 || !all_of(last + 1, 16, "0123456789abcdef"))
		return NULL;
	return kind_named(ref + plen, (size_t)(last - ref - (long)plen));
}

struct parsed_charge {
	const struct sandbox_kind *kind;
	long long amount;
	long long created;
};

/* Cut the last "_field" off `buf`; NULL when there is none (or it is empty). */
static char *cut_last(char *buf)
{
	char *sep = strrchr(buf, '_');

	if (!sep || sep == buf || !sep[1])
		return NULL;
	*sep = '\0';
	return sep + 1;
}

/* Split a charge ref; false when it is not one of ours. */
static bool parse_charge(struct parsed_charge *out, const char *ref)
{
	size_t plen = strlen(CHARGE_PREFIX);
	char buf[128];

	if (strncmp(ref, CHARGE_PREFIX, plen) || strlen(ref) >= sizeof(buf))
		return false;
	processor_copy(buf, sizeof(buf), ref + plen);
	/* The kind may itself hold '_': take the three fields from the end. */
	char *hash = cut_last(buf);
	char *created = hash ? cut_last(buf) : NULL;
	char *amount = created ? cut_last(buf) : NULL;
	if (!amount || strlen(hash) != KEY_HASH_LEN ||
	    !all_of(hash, KEY_HASH_LEN, "0123456789abcdef") || strlen(amount) > 15 ||
	    !all_of(amount, strlen(amount), "0123456789") || strlen(created) > 15 ||
	    !all_of(created, strlen(created), "0123456789"))
		return false;
	out->kind = kind_named(buf, strlen(buf));
	out->amount = strtoll(amount, NULL, 10);
	out->created = strtoll(created, NULL, 10);
	return out->kind && out->amount > 0;
}

static int key_hash(char out[KEY_HASH_LEN + 1], const char *key)
{
	char hex[HASH_SHA256_HEX_SIZE];
	int rc = hash_sha256_hex(hex, key, strlen(key));

	if (rc == CS_OK)
		processor_copy(out, KEY_HASH_LEN + 1, hex);
	return rc;
}

static int refuse_token(void)
{
	return cs_error_set(CS_EINVALID, "invalid_payment_token",
	                    "This payment token is not valid; please enter the details again.");
}

static int refuse_method(void)
{
	return cs_error_set(CS_EINVALID, "invalid_payment_method",
	                    "This payment method cannot be used; please add it again.");
}

static int refuse_charge(void)
{
	return cs_error_set(CS_EINVALID, "unknown_charge", "The processor has no such charge.");
}

static int sandbox_create_method(struct processor *p, struct processor_method *out,
                                 const char *token)
{
	unsigned char raw[8];
	char hex[17];
	const struct sandbox_kind *k =
	        strncmp(token, "tok_", 4) ? NULL : kind_named(token + 4, strlen(token + 4));
	int rc;

	(void)p;
	if (!k)
		return refuse_token();
	if ((rc = random_bytes(raw, sizeof(raw))) != CS_OK)
		return rc;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	snprintf(out->ref, sizeof(out->ref), METHOD_PREFIX "%s_%s", k->name, hex);
	processor_copy(out->type, sizeof(out->type), k->type);
	processor_copy(out->brand, sizeof(out->brand), k->brand);
	processor_copy(out->last4, sizeof(out->last4), k->last4);
	processor_copy(out->bank_name, sizeof(out->bank_name), k->bank_name);
	if (is_card(k)) {
		out->exp_month = SANDBOX_EXP_MONTH;
		out->exp_year = SANDBOX_EXP_YEAR;
	}
	return CS_OK;
}

/* The outcome of a charge of `c` as of now. */
static void charge_state(const struct sandbox *s, struct processor_charge *out,
                         const struct parsed_charge *c)
{
	out->status = PROCESSOR_SUCCEEDED;
	if (!is_card(c->kind) && (long long)time(NULL) < c->created + s->settle_seconds)
		out->status = PROCESSOR_PENDING;
	else if (c->kind->failure_code)
		out->status = PROCESSOR_FAILED;
	if (out->status == PROCESSOR_FAILED) {
		processor_copy(out->failure_code, sizeof(out->failure_code), c->kind->failure_code);
		processor_copy(out->failure_message, sizeof(out->failure_message),
		               c->kind->failure_message);
	}
}

/* The ref this process already made for `hash`, or a new one remembered under it. */
static int memo_ref(struct sandbox *s, char ref[128], const char *hash,
                    const struct sandbox_kind *k, long long amount)
{
	char fresh[128];
	int rc = CS_OK;

	snprintf(fresh, sizeof(fresh), CHARGE_PREFIX "%s_%lld_%lld_%s", k->name, amount,
	         is_card(k) ? 0LL : (long long)time(NULL), hash);
	pthread_mutex_lock(&s->lock);
	size_t i = 0;
	while (i < MEMO_SLOTS && strcmp(s->memo[i].key_hash, hash))
		i++;
	if (i == MEMO_SLOTS) {
		i = s->next;
		s->next = (s->next + 1) % MEMO_SLOTS;
		processor_copy(s->memo[i].key_hash, sizeof(s->memo[i].key_hash), hash);
		processor_copy(s->memo[i].ref, sizeof(s->memo[i].ref), fresh);
	}
	struct parsed_charge before, now;
	if (!parse_charge(&before, s->memo[i].ref) || !parse_charge(&now, fresh) ||
	    before.kind != now.kind || before.amount != now.amount)
		rc = cs_error_set(CS_EINVALID, "idempotency_key_reused",
		                  "This idempotency key was used for a different charge.");
	processor_copy(ref, 128, s->memo[i].ref);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int sandbox_charge(struct processor *p, struct processor_charge *out, const char *method_ref,
                          long long amount_cents, const char *currency, const char *idempotency_key)
{
	struct sandbox *s = (struct sandbox *)p;
	const struct sandbox_kind *k = method_kind(method_ref);
	char hash[KEY_HASH_LEN + 1];
	struct parsed_charge c;
	int rc;

	(void)currency;
	if (!k)
		return refuse_method();
	if ((rc = key_hash(hash, idempotency_key)) != CS_OK ||
	    (rc = memo_ref(s, out->ref, hash, k, amount_cents)) != CS_OK)
		return rc;
	if (!parse_charge(&c, out->ref))
		return cs_error_set(CS_EINTERNAL, NULL,
		                    "The sandbox made a charge ref it cannot read.");
	charge_state(s, out, &c);
	return CS_OK;
}

static int sandbox_lookup_charge(struct processor *p, struct processor_charge *out,
                                 const char *charge_ref)
{
	struct parsed_charge c;

	if (!parse_charge(&c, charge_ref))
		return refuse_charge();
	processor_copy(out->ref, sizeof(out->ref), charge_ref);
	charge_state((struct sandbox *)p, out, &c);
	return CS_OK;
}

static int sandbox_refund(struct processor *p, struct processor_refund *out, const char *charge_ref,
                          long long amount_cents, const char *idempotency_key)
{
	struct processor_charge charge;
	struct parsed_charge c;
	char hash[KEY_HASH_LEN + 1];
	int rc;

	if (!parse_charge(&c, charge_ref))
		return refuse_charge();
	charge_state((struct sandbox *)p, &charge, &c);
	if (charge.status != PROCESSOR_SUCCEEDED)
		return cs_error_set(CS_EINVALID, "charge_not_refundable",
		                    "Only a payment that went through can be refunded.");
	if (amount_cents > c.amount)
		return cs_error_set(CS_EINVALID, "invalid_amount",
		                    "A refund cannot exceed the payment.");
	if ((rc = key_hash(hash, idempotency_key)) != CS_OK)
		return rc;
	snprintf(out->ref, sizeof(out->ref), REFUND_PREFIX "%s", hash);
	out->status = PROCESSOR_SUCCEEDED;
	return CS_OK;
}

static void sandbox_close(struct processor *p)
{
	struct sandbox *s = (struct sandbox *)p;

	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const struct processor_ops sandbox_ops = {
        .name = "sandbox",
        .create_method = sandbox_create_method,
        .charge = sandbox_charge,
        .refund = sandbox_refund,
        .lookup_charge = sandbox_lookup_charge,
        .close = sandbox_close,
};

int processor_sandbox_open(struct processor **out, int ach_settle_seconds)
{
	struct sandbox *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return CS_ENOMEM;
	s->base.ops = &sandbox_ops;
	s->settle_seconds = ach_settle_seconds;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return CS_ENOMEM;
	}
	*out = &s->base;
	return CS_OK;
}
