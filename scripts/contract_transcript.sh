#!/usr/bin/env bash
# Exercise the v1 contract with curl against a running service and print a transcript.
#
#   make run &                      # serves 127.0.0.1:8000 with the demo catalogue
#   scripts/contract_transcript.sh  # BASE and KEYS override the address and the keys file
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8000}
KEYS=${KEYS:-var/demo-keys.json}
key() { python3 -c "import json,sys;print(json.load(open('$KEYS'))[sys.argv[1]]['key'])" "$1"; }
ADMIN=$(key admin); FLOW=$(key listing-flow); MOD=$(key moderator)
RUN=$(date +%s)

call() {  # call LABEL CURL-ARGS... : print the request line, the status and the body
  local label=$1; shift
  echo "### $label"
  echo "\$ curl $*" | sed -E 's/sk_[A-Za-z0-9_-]+/sk_…/g; s/(.{300}).+/\1 …/'
  curl -sS -w '\n-> HTTP %{http_code}\n' "$@" | python3 -c '
import json, re, sys
raw = sys.stdin.read()
body, _, status = raw.rpartition("\n-> ")
try:
    text = json.dumps(json.loads(body), ensure_ascii=False)
except ValueError:
    text = body.strip()
text = re.sub(r"sk_[A-Za-z0-9_-]+", "sk_…", text)
print(text[:600] + (" …" if len(text) > 600 else ""))
print("->", status.strip())'
  echo
}
json_field() { python3 -c "import json,sys;print(json.load(sys.stdin)$1)"; }

call "liveness" "$BASE/healthz"
call "readiness" "$BASE/readyz"
call "no key: 401" -X POST "$BASE/v1/screen" -H 'content-type: application/json' -d '{"listing_id":"x","title":"t"}'
call "wrong role: 403" -X POST "$BASE/v1/brands" -H "X-API-Key: $FLOW" -H 'content-type: application/json' -d '{"name":"Nope"}'

BRAND=$(curl -sS -X POST "$BASE/v1/brands" -H "X-API-Key: $ADMIN" -H 'content-type: application/json' \
  -d "{\"name\":\"Velmora $RUN\",\"aliases\":[\"Velmora\"],\"product_lines\":[\"Lunette\"],\"price_floor\":{\"amount\":400,\"currency\":\"USD\"},\"authorized_sellers\":[\"s-auth\"]}" \
  | json_field '["id"]')
call "brand read back (created by admin)" "$BASE/v1/brands/$BRAND" -H "X-API-Key: $ADMIN"
OWNER=$(curl -sS -X POST "$BASE/v1/keys" -H "X-API-Key: $ADMIN" -H 'content-type: application/json' \
  -d "{\"role\":\"brand-owner\",\"brand_ids\":[\"$BRAND\"]}" | json_field '["key"]')
call "brand owner patches its brand" -X PATCH "$BASE/v1/brands/$BRAND" -H "X-API-Key: $OWNER" -H 'content-type: application/json' -d '{"aliases":["Velmora","VLM"]}'
OTHER=$(curl -sS "$BASE/v1/brands?limit=1" -H "X-API-Key: $ADMIN" | json_field '["items"][0]["id"]')
call "brand owner reads another brand: 404" "$BASE/v1/brands/$OTHER" -H "X-API-Key: $OWNER"
call "brand owner lists brands (only its own)" "$BASE/v1/brands" -H "X-API-Key: $OWNER"

MARK_FILE=$(mktemp --suffix=.svg)
cat > "$MARK_FILE" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60"><rect width="120" height="60" fill="#fff"/><circle cx="30" cy="30" r="22" fill="#1a1a1a"/><path d="M60 10 L110 50 L60 50 Z" fill="#c0392b"/></svg>
SVG
call "upload a reference mark (SVG)" -X POST "$BASE/v1/brands/$BRAND/marks" -H "X-API-Key: $OWNER" -F "file=@$MARK_FILE;type=image/svg+xml" -F kind=logo
call "list marks" "$BASE/v1/brands/$BRAND/marks" -H "X-API-Key: $OWNER"
rm -f "$MARK_FILE"

call "screen: brand name, counterfeit phrase, price under the floor" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-1\",\"seller_id\":\"s-9\",\"title\":\"Velmora Lunette bag 1:1 mirror quality\",\"price\":{\"amount\":25,\"currency\":\"USD\"}}"
call "same listing, same content: the stored result" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-1\",\"seller_id\":\"s-9\",\"title\":\"Velmora Lunette bag 1:1 mirror quality\",\"price\":{\"amount\":25,\"currency\":\"USD\"}}"
call "authorized seller: never blocked for its own brand" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-2\",\"seller_id\":\"s-auth\",\"title\":\"Velmora Lunette bag\",\"price\":{\"amount\":450,\"currency\":\"USD\"}}"
call "batch (a bare brand name with no other cue goes to review)" -X POST "$BASE/v1/screen:batch" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listings\":[{\"listing_id\":\"L-$RUN-3\",\"title\":\"plain cotton tote\"},{\"listing_id\":\"L-$RUN-4\",\"title\":\"Velmora scarf\"}]}"
call "a product line written as a style (\"Lunette style\")" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-8\",\"title\":\"Lunette style shoulder bag\"}"
call "brand owner sees listings matched to its brand" "$BASE/v1/brands/$BRAND/listings" -H "X-API-Key: $OWNER"

call "undecodable image: 422 naming the image" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-5\",\"title\":\"bag\",\"images\":[{\"data\":\"aGVsbG8gd29ybGQ=\"}]}"
LONG=$(python3 -c 'print("a" * 1001)')
call "title over 1,000 characters" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' \
  -d "{\"listing_id\":\"L-$RUN-6\",\"title\":\"$LONG\"}"
call "wrong type" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' -d '{"listing_id":"L-7","title":["not","a","string"]}'
call "invalid JSON" -X POST "$BASE/v1/screen" -H "X-API-Key: $FLOW" -H 'content-type: application/json' -d '{"listing_id":'

call "claim the next review item" -X POST "$BASE/v1/review/claim" -H "X-API-Key: $MOD"
ITEM=$(curl -sS "$BASE/v1/review/items?status=claimed&limit=1" -H "X-API-Key: $MOD" | json_field '["items"][0]["id"]')
call "decide the claimed item" -X POST "$BASE/v1/review/$ITEM/decision" -H "X-API-Key: $MOD" -H 'content-type: application/json' \
  -d '{"outcome":"infringing","reason":"counterfeit","note":"replica wording, price far under the floor"}'
call "deciding it again: 409" -X POST "$BASE/v1/review/$ITEM/decision" -H "X-API-Key: $MOD" -H 'content-type: application/json' \
  -d '{"outcome":"infringing","reason":"counterfeit"}'
call "new listing-flow key (admin)" -X POST "$BASE/v1/keys" -H "X-API-Key: $ADMIN" -H 'content-type: application/json' -d '{"role":"listing-flow"}'
echo "### metrics (excerpt)"
curl -sS "$BASE/metrics" | grep -E '^screening_' | head -8
