#!/usr/bin/env bash
# Browser end-to-end tests: a fresh database and Redis database, the real binary with demo data,
# and the Playwright suite in frontend/e2e driving Debian's Chromium.
# Arguments pass on to the suite: a word runs only the tests whose names contain it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PEERPATH_BIN:-bin/peerpath}
db=peerpath_e2e_$$
base=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/peerpath?sslmode=disable}
admin_url=${base%/*}/postgres
data=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

psql "$admin_url" -qc "CREATE DATABASE $db"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$data"
}
trap cleanup EXIT

export DATABASE_URL="${base%/*}/$db?sslmode=disable"
# Redis database 9 is reserved for these tests.
export REDIS_URL=${E2E_REDIS_URL:-redis://127.0.0.1:6379/9}
export PEERPATH_ENV=development PEERPATH_ADDR=127.0.0.1:$port PEERPATH_BASE_URL=http://127.0.0.1:$port PEERPATH_DATA_DIR=$data
redis-cli -u "$REDIS_URL" flushdb >/dev/null

"$bin" migrate >/dev/null
"$bin" demo >/dev/null
"$bin" serve >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
cd frontend
if ! PEERPATH_URL="http://127.0.0.1:$port" CHROMIUM=${CHROMIUM:-$(command -v chromium)} npm run --silent e2e -- "$@"; then
  echo "--- server log (last 40 lines) ---"; tail -40 "$data/server.log"
  exit 1
fi
