#!/usr/bin/env bats
# Money under concurrency, found by chance: tests/api/money_random.py runs a seeded, randomized,
# concurrent mix of every money operation (portal payments with saved, new and declined cards,
# partial payments and bursts of them on one invoice, payment methods, autopay and its scheduler,
# offline payments, refunds, credits, invoices sent and voided) over two haulers and several
# customers, checking the money in SQL and over the API after each batch. The seed is printed;
# MONEY_SEED=<n> replays that run's operations, MONEY_BATCHES=<n> makes it longer or shorter.

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	# More database connections than the default 4, so more of a burst meets in the database.
	STACK_ENV=(CURBSIDE_PAYMENTS=sandbox CURBSIDE_CLOCK_FILE="$CLOCK_FILE"
		CURBSIDE_AUTOPAY_POLL_SECONDS=1 CURBSIDE_PAYMENTS_POLL_SECONDS=1
		CURBSIDE_DB_POOL=12
		# Card-testing limits are not what this run checks: it saves
		# and declines far more cards an hour than they allow.
		CURBSIDE_PAYMENT_DECLINES_PER_HOUR=1000 CURBSIDE_PAYMENT_METHODS_PER_HOUR=1000)
	start_stack
}

teardown_file() {
	stop_stack
}

@test "randomized concurrent money: every invariant holds after every batch, no 5xx, no deadlock" {
	local out=$BATS_TEST_TMPDIR/money_random.out rc=0
	PSQL=$(pg_bin psql) timeout "$(scaled 150)" /usr/bin/python3 "$CURBSIDE_ROOT/tests/api/money_random.py" >"$out" 2>&1 || rc=$?
	# The seed and the counts go to the TAP output of every run, passing or not.
	sed 's/^/# money_random: /' "$out" >&3
	local trouble
	trouble=$(grep -E '40P01|40001|deadlock detected|could not serialize|database error' "$SERVER_LOG" || true)
	[[ -z $trouble ]] || head -n 40 <<<"$trouble" >&2
	((rc == 0)) || fail "the randomized money run failed (exit $rc); replay it with the seed above"
	[[ -z $trouble ]] ||
		fail "the server met a deadlock, a serialization failure or a database error (above)"
}
