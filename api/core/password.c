#include "core/password.h"

#include <argon2.h>
#include <pthread.h>
#include <string.h>

#include "core/random.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct password_gate_counts c;
	struct password_stats stats;
	char dummy_hash[PASSWORD_HASH_SIZE];
} gate = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

static int raw_hash(char out[PASSWORD_HASH_SIZE], const char *password)
{
	unsigned char salt[16];
	int rc = random_bytes(salt, sizeof(salt));

	if (rc != CS_OK)
		return rc;
	if (argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST, PASSWORD_PARALLELISM, password,
	                          strlen(password), salt, sizeof(salt), 32, out,
	                          PASSWORD_HASH_SIZE) != ARGON2_OK)
		return CS_EINTERNAL;
	return CS_OK;
}

int password_gate_init(int slots, int queue)
{
	if (slots < 1 || queue < 0)
		return CS_EINVALID;
	gate.c.slots = slots;
	gate.c.queue = queue;
	return raw_hash(gate.dummy_hash, "not-a-real-password-only-for-timing");
}

enum password_admission password_gate_admit(const struct password_gate_counts *c,
                                            enum password_use use)
{
	int active = c->active[PASSWORD_FOR_LOGIN] + c->active[PASSWORD_FOR_OTHER];
	int waiting = c->waiting[PASSWORD_FOR_LOGIN] + c->waiting[PASSWORD_FOR_OTHER];

	if (use == PASSWORD_FOR_LOGIN) {
		if (active < c->slots)
			return PASSWORD_ENTER;
		return waiting < c->queue ? PASSWORD_WAIT : PASSWORD_REFUSE;
	}
	/* Other hashing leaves half the slots (rounded down) to sign-ins, and lets them go first.
	 */
	if (active < c->slots && c->active[PASSWORD_FOR_OTHER] < c->slots - c->slots / 2 &&
	    c->waiting[PASSWORD_FOR_LOGIN] == 0)
		return PASSWORD_ENTER;
	return waiting < c->queue && c->waiting[PASSWORD_FOR_OTHER] < c->queue / 2
	               ? PASSWORD_WAIT
	               : PASSWORD_REFUSE;
}

/* May a queued caller for `use` go now? (Queued callers do not count themselves as waiting.) */
static bool may_go(enum password_use use)
{
	struct password_gate_counts c = gate.c;

	c.waiting[use]--; /* this caller */
	return password_gate_admit(&c, use) == PASSWORD_ENTER;
}

static int gate_enter(enum password_use use)
{
	int rc = CS_OK;

	pthread_mutex_lock(&gate.lock);
	switch (password_gate_admit(&gate.c, use)) {
	case PASSWORD_REFUSE:
		gate.stats.busy[use]++;
		rc = cs_error_set(CS_EBUSY, "server_busy",
		                  "The server is busy. Please try again in a moment.");
		cs_error_set_retry_after(1);
		break;
	case PASSWORD_WAIT:
		gate.c.waiting[use]++;
		while (!may_go(use))
			pthread_cond_wait(&gate.freed, &gate.lock);
		gate.c.waiting[use]--;
		break;
	case PASSWORD_ENTER:
		break;
	}
	if (rc == CS_OK) {
		gate.c.active[use]++;
		gate.stats.hashes[use]++;
	}
	pthread_mutex_unlock(&gate.lock);
	return rc;
}

static void gate_leave(enum password_use use)
{
	pthread_mutex_lock(&gate.lock);
	gate.c.active[use]--;
	/* Waiters of both uses wait on one condition with different rules: wake them all. */
	pthread_cond_broadcast(&gate.freed);
	pthread_mutex_unlock(&gate.lock);
}

void password_stats_read(struct password_stats *out)
{
	pthread_mutex_lock(&gate.lock);
	*out = gate.stats;
	pthread_mutex_unlock(&gate.lock);
}

int password_hash(char out[PASSWORD_HASH_SIZE], const char *password)
{
	int rc = gate_enter(PASSWORD_FOR_OTHER);

	if (rc != CS_OK)
		return rc;
	rc = raw_hash(out, password);
	gate_leave(PASSWORD_FOR_OTHER);
	return rc;
}

static int verify(bool *match, const char *encoded, const char *password, enum password_use use)
{
	int rc = gate_enter(use);

	*match = false;
	if (rc != CS_OK)
		return rc;
	int v = argon2id_verify(encoded ? encoded : gate.dummy_hash, password, strlen(password));
	gate_leave(use);
	*match = encoded != NULL && v == ARGON2_OK;
	return CS_OK;
}

int password_verify(bool *match, const char *encoded, const char *password)
{
	return verify(match, encoded, password, PASSWORD_FOR_OTHER);
}

int password_verify_login(bool *match, const char *encoded, const char *password)
{
	return verify(match, encoded, password, PASSWORD_FOR_LOGIN);
}
