#!/usr/bin/env bats
# Generated clients (issue 23, item 2): TypeScript clients are generated from the /openapi.yaml the
# test server serves, with @hey-api/openapi-ts and with openapi-typescript + openapi-fetch (the
# versions of tests/package-lock.json), and compiled with `tsc --strict` together with calls that
# must compile (tests/sdk/*-calls.ts) and calls that must not (tests/sdk/*-wrong.ts, each under
# `// @ts-expect-error`). Then a short integrator job runs through the first client against the
# server behind the contract proxy. The generated code goes to <build dir>/sdk, never committed.

load helpers

BIN=$CURBSIDE_ROOT/tests/node_modules/.bin

setup_file() {
	start_stack
	SDK=$(dirname "$CURBSIDE_BIN")/sdk
	export SDK
	rm -rf "$SDK"
	mkdir -p "$SDK"
	# Resolve openapi-fetch (and typescript's lib files) from the tests' packages.
	ln -s "$CURBSIDE_ROOT/tests/node_modules" "$SDK/node_modules"
	cp "$CURBSIDE_ROOT"/tests/sdk/*.ts "$SDK/"
	api GET /openapi.yaml
	fixture_expect 200 "GET /openapi.yaml"
	cp "$body_file" "$SDK/openapi.yaml"
	(cd "$SDK" && "$BIN/openapi-ts" -i openapi.yaml -o heyapi -c @hey-api/client-fetch --no-log-file -s) ||
		fail "@hey-api/openapi-ts failed"
	(cd "$SDK" && "$BIN/openapi-typescript" openapi.yaml -o openapi.ts --silent) ||
		fail "openapi-typescript failed"
}

teardown_file() {
	stop_stack
}

# typecheck FILE...: tsc --strict over the files (and what they import), emitting nothing.
typecheck() {
	(cd "$SDK" && "$BIN/tsc" --strict --noEmit --target es2022 --lib es2022,dom \
		--module esnext --moduleResolution bundler "$@")
}

@test "the @hey-api/openapi-ts client and the calls that must compile pass tsc --strict" {
	run typecheck heyapi-calls.ts
	((status == 0)) || fail "tsc: $output"
}

@test "the openapi-typescript types with openapi-fetch and the calls that must compile pass tsc --strict" {
	run typecheck fetch-calls.ts
	((status == 0)) || fail "tsc: $output"
}

@test "every wrong call is a type error in both clients (an unused @ts-expect-error fails tsc)" {
	run typecheck heyapi-wrong.ts fetch-wrong.ts
	((status == 0)) || fail "tsc: $output"
}

@test "without their @ts-expect-error each wrong call fails to compile on its own line" {
	local file line expected=() actual
	for file in heyapi-wrong.ts fetch-wrong.ts; do
		# The directive becomes a plain comment, so line numbers stay.
		sed 's#// @ts-expect-error#// (expected error)#' "$SDK/$file" >"$SDK/bare-$file"
		while IFS=: read -r line _; do
			expected+=("bare-$file($((line + 1)),")
		done < <(grep -nE '^[[:space:]]*// @ts-expect-error' "$SDK/$file")
	done
	run typecheck bare-heyapi-wrong.ts bare-fetch-wrong.ts
	((status != 0)) || fail "the wrong calls compiled"
	for line in "${expected[@]}"; do
		actual=$(grep -cF "$line" <<<"$output" || true)
		((actual > 0)) || fail "no type error at ${line%,}): $output"
	done
}

@test "an integrator job through the generated client: customer, location, invoice, invoice list" {
	new_staff_token
	new_api_key sdk
	(cd "$SDK" && "$BIN/tsc" --strict --target es2022 --lib es2022,dom --module commonjs \
		--moduleResolution node10 --outDir js integrator.ts) || fail "tsc could not build the job"
	run node "$SDK/js/integrator.js" "$PRISM_URL" "$API_KEY" "$(unique_number SDK)"
	((status == 0)) || fail "integrator job: $output"
	[[ $output == *"integrator job done"* ]] || fail "integrator job: $output"
}
