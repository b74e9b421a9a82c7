#include "core/password.h"

#include <argon2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/random.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int slots, queue, active, waiting;
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
	gate.slots = slots;
	gate.queue = queue;
	return raw_hash(gate.dummy_hash, "not-a-real-password-only-for-timing");
}

static int gate_enter(void)
{
	int rc = CS_OK;

	pthread_mutex_lock(&gate.lock);
	if (gate.active >= gate.slots) {
		if (gate.waiting >= gate.queue) {
			rc = cs_error_set(CS_EBUSY, "server_busy",
			                  "The server is busy. Please try again in a moment.");
			cs_error_set_retry_after(1);
		} else {
			gate.waiting++;
			while (gate.active >= gate.slots)
				pthread_cond_wait(&gate.freed, &gate.lock);
			gate.waiting--;
		}
	}
	if (rc == CS_OK)
		gate.active++;
	pthread_mutex_unlock(&gate.lock);
	return rc;
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.active--;
	pthread_cond_signal(&gate.freed);
	pthread_mutex_unlock(&gate.lock);
}

static atomic_ulong hashes_made;

unsigned long password_hash_count(void)
{
	return atomic_load_explicit(&hashes_made, memory_order_relaxed);
}

int password_hash(char out[PASSWORD_HASH_SIZE], const char *password)
{
	int rc = gate_enter();

	if (rc != CS_OK)
		return rc;
	atomic_fetch_add_explicit(&hashes_made, 1, memory_order_relaxed);
	rc = raw_hash(out, password);
	gate_leave();
	return rc;
}

int password_verify(bool *match, const char *encoded, const char *password)
{
	int rc = gate_enter();

	*match = false;
	if (rc != CS_OK)
		return rc;
	int v = argon2id_verify(encoded ? encoded : gate.dummy_hash, password, strlen(password));
	gate_leave();
	*match = encoded != NULL && v == ARGON2_OK;
	return CS_OK;
}
