# tests/lib/jwt.bash — build and read JWTs with openssl so tests can forge any token they need.

# b64url: base64url-encode stdin without padding.
b64url() {
	openssl base64 -A | tr '+/' '-_' | tr -d '='
}

# b64url_decode: decode base64url (padding optional) from stdin.
b64url_decode() {
	local s
	s=$(tr -- '-_' '+/')
	while ((${#s} % 4)); do s+='='; done
	printf '%s' "$s" | openssl base64 -d -A
}

# mint_jwt HEADER_JSON CLAIMS_JSON [SECRET]: print a compact JWT. The signature follows the header's
# "alg": HS256 / HS384 / HS512 are HMACs with SECRET (default $CURBSIDE_JWT_SECRET); "none" gives an
# empty signature. JSON is compacted with jq first, so the signed bytes are what is sent.
mint_jwt() {
	local header claims secret=${3-${CURBSIDE_JWT_SECRET-}} alg digest h p sig=
	header=$(jq -c . <<<"$1") || return 1
	claims=$(jq -c . <<<"$2") || return 1
	alg=$(jq -r '.alg // "none"' <<<"$header")
	h=$(printf '%s' "$header" | b64url)
	p=$(printf '%s' "$claims" | b64url)
	case $alg in
	HS256) digest=sha256 ;;
	HS384) digest=sha384 ;;
	HS512) digest=sha512 ;;
	none) digest= ;;
	*)
		echo "mint_jwt: cannot sign alg $alg" >&2
		return 1
		;;
	esac
	if [[ -n $digest ]]; then
		sig=$(printf '%s.%s' "$h" "$p" |
			openssl dgst "-$digest" -mac HMAC -macopt "hexkey:$(printf '%s' "$secret" | od -An -v -tx1 | tr -d ' \n')" -binary |
			b64url) || return 1
	fi
	printf '%s.%s.%s\n' "$h" "$p" "$sig"
}

# jwt_header TOKEN / jwt_claims TOKEN: print the decoded header / claims JSON.
jwt_header() {
	printf '%s' "${1%%.*}" | b64url_decode
}
jwt_claims() {
	local rest=${1#*.}
	printf '%s' "${rest%%.*}" | b64url_decode
}
