# tests/lib/assert.bash — small assertions over the last response ($status, $body, $headers set by
# api / api_direct in tests/api/helpers.bash). Each prints what it expected and what it got, and
# returns 1 on mismatch, which fails the bats test.

# fail MESSAGE...: print to stderr and return 1.
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# show_response: print the last response (used by every failing assertion).
show_response() {
	{
		echo "--- last response: ${last_request-?} -> HTTP $status"
		printf '%s\n' "${headers-}" | sed 's/^/< /'
		printf '%s\n' "${body-}" | head -c 4000
		echo
		echo "---"
	} >&2
}

# header NAME: print the value of response header NAME (case-insensitive; last one wins).
# Returns 1 when absent.
header() {
	local line name=${1,,} value='' found=1
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ ${line,,} == "$name:"* ]]; then
			value=${line#*:}
			value=${value#"${value%%[![:space:]]*}"}
			value=${value%"${value##*[![:space:]]}"}
			found=0
		fi
	done <<<"${headers-}"
	((found == 0)) && printf '%s\n' "$value"
	return $found
}

# assert_status CODE: the last response's HTTP status is CODE.
assert_status() {
	[[ $status == "$1" ]] && return 0
	show_response
	fail "expected HTTP $1, got $status"
}

# assert_header NAME [EXPECTED]: header NAME is present (and equals EXPECTED when given).
assert_header() {
	local v
	if ! v=$(header "$1"); then
		show_response
		fail "expected header $1, it is absent"
		return 1
	fi
	(($# < 2)) || [[ $v == "$2" ]] || {
		show_response
		fail "expected header $1: $2, got $1: $v"
	}
}

# assert_header_matches NAME REGEX: header NAME is present and matches the bash regex.
assert_header_matches() {
	local v
	v=$(header "$1") || {
		show_response
		fail "expected header $1, it is absent"
		return 1
	}
	[[ $v =~ $2 ]] || {
		show_response
		fail "expected header $1 to match /$2/, got $1: $v"
	}
}

# refute_header NAME: header NAME is absent.
refute_header() {
	local v
	v=$(header "$1") || return 0
	show_response
	fail "expected no header $1, got $1: $v"
}

# assert_content_type TYPE: the media type (before any ';') is TYPE.
assert_content_type() {
	local v
	v=$(header Content-Type) || {
		show_response
		fail "expected Content-Type $1, it is absent"
		return 1
	}
	v=${v%%;*}
	[[ ${v,,} == "${1,,}" ]] || {
		show_response
		fail "expected Content-Type $1, got $v"
	}
}

# assert_json JQ_PATH EXPECTED: `jq -r JQ_PATH` of the body prints EXPECTED (strings unquoted,
# null/true/false/numbers as jq prints them).
assert_json() {
	local got
	got=$(jq -r "$1" <<<"$body" 2>&1) || {
		show_response
		fail "body is not JSON or '$1' fails: $got"
		return 1
	}
	[[ $got == "$2" ]] || {
		show_response
		fail "expected $1 == $2, got: $got"
	}
}

# assert_jq [JQ_ARGS...] EXPR: the jq expression EXPR (the last argument) is true for the body;
# JQ_ARGS such as `--arg id "$ID"` bind variables for it.
assert_jq() {
	local expr=${!#}
	jq -e "${@:1:$#-1}" "$expr" <<<"$body" >/dev/null 2>&1 && return 0
	show_response
	fail "expected body to satisfy: $expr"
}

# assert_body_contains TEXT: the raw body contains TEXT.
assert_body_contains() {
	[[ $body == *"$1"* ]] && return 0
	show_response
	fail "expected body to contain: $1"
}

# assert_problem STATUS CODE: an RFC 9457 problem as the contract shapes it: status, content type
# application/problem+json, type "/problems/CODE", code, numeric status, non-empty title and detail,
# request_id equal to the X-Request-Id header.
assert_problem() {
	local want_status=$1 want_code=$2 rid
	assert_status "$want_status" || return 1
	assert_content_type application/problem+json || return 1
	assert_json .code "$want_code" || return 1
	assert_jq ".status == $want_status" || return 1
	assert_json .type "/problems/$want_code" || return 1
	assert_jq '(.title | type == "string" and length > 0) and (.detail | type == "string" and length > 0)' || return 1
	rid=$(header X-Request-Id) || {
		show_response
		fail "problem response without X-Request-Id"
		return 1
	}
	assert_json .request_id "$rid"
}

# assert_field_error FIELD CODE_REGEX: a 422 problem whose errors[] has an entry for FIELD with a code
# matching ^(CODE_REGEX)$ and a non-empty message. CODE_REGEX may be "a|b" where the contract allows either.
assert_field_error() {
	local field=$1 codes=$2
	assert_status 422 || return 1
	jq -e --arg f "$field" --arg c "^($codes)\$" \
		'any(.errors[]?; .field == $f and (.code | test($c)) and (.message | type == "string" and length > 0))' \
		<<<"$body" >/dev/null 2>&1 && return 0
	show_response
	fail "expected errors[] to hold {field: $field, code: $codes, message}"
}

# assert_field_errors_exactly FIELD... : errors[] names exactly these fields (order free).
assert_field_errors_exactly() {
	local want got
	want=$(printf '%s\n' "$@" | sort | jq -R . | jq -sc .)
	got=$(jq -c '[.errors[]?.field] | sort' <<<"$body" 2>/dev/null)
	[[ $got == "$want" ]] && return 0
	show_response
	fail "expected errors[] fields $want, got $got"
}
