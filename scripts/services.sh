#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are reachable for `make run` and `make test`:
#   1. the ones configured (DATABASE_URL, REDIS_URL) or already running on the standard ports;
#   2. else start the machine's installed servers (a Debian cluster, or a local one under .data/);
#   3. else, as root with apt-get, install them and start them;
#   4. else print the exact commands to run, and fail.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$PWD/.data"

db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/peerpath?sslmode=disable}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/0}
hostport() { # URL → "host port"
  local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; rest=${rest%%\?*}
  local host=${rest%:*} port=${rest##*:}
  [ "$host" = "$rest" ] && port=$2
  echo "${host:-127.0.0.1} ${port:-$2}"
}
read -r PGHOST_ PGPORT_ < <(hostport "$db_url" 5432)
read -r RHOST RPORT < <(hostport "$redis_url" 6379)

open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for() { for _ in $(seq 1 60); do open "$1" "$2" && return 0; sleep 0.5; done; return 1; }
local_host() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ] || [ "$1" = "::1" ]; }
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_install() {
  echo "services: installing $* with apt-get"
  # A stale package list is the usual reason an install fails, so refresh it first.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

start_postgres() {
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    local v; v=$(ls /etc/postgresql | sort -V | tail -1)
    echo "services: starting PostgreSQL $v (Debian cluster)"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    wait_for "$PGHOST_" "$PGPORT_" && return 0
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && [ -x "$bin/postgres" ] || return 1
  echo "services: starting a local PostgreSQL with data in .data/postgres"
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  mkdir -p "$DATA"
  if [ ! -f "$DATA/postgres/PG_VERSION" ]; then
    mkdir -p "$DATA/postgres"; [ "$(id -u)" = 0 ] && chown postgres "$DATA/postgres"
    "${as[@]}" "$bin/initdb" -D "$DATA/postgres" -U postgres --auth=trust >/dev/null
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$DATA/postgres" -l "$DATA/postgres/server.log" -w \
    -o "-p $PGPORT_ -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  wait_for "$PGHOST_" "$PGPORT_"
}

start_redis() {
  command -v redis-server >/dev/null || return 1
  echo "services: starting a local Redis on port $RPORT (nothing kept on disk)"
  mkdir -p "$DATA"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$RPORT" --save "" --appendonly no \
    --dir "$DATA" --logfile "$DATA/redis.log" >/dev/null
  wait_for "$RHOST" "$RPORT"
}

if ! open "$PGHOST_" "$PGPORT_"; then
  if ! local_host "$PGHOST_"; then
    echo "services: DATABASE_URL points at $PGHOST_:$PGPORT_, which does not answer." >&2; exit 1
  fi
  if ! start_postgres; then
    if can_install; then apt_install postgresql && start_postgres; fi
  fi
  if ! open "$PGHOST_" "$PGPORT_"; then
    cat >&2 <<MSG
services: PostgreSQL is not running on $PGHOST_:$PGPORT_ and could not be started.
Install and start it, then run this again:
  sudo apt-get install -y postgresql && sudo pg_ctlcluster \$(ls /etc/postgresql) main start
or point DATABASE_URL at a PostgreSQL you have.
MSG
    exit 1
  fi
fi
echo "services: PostgreSQL is up on $PGHOST_:$PGPORT_"

if ! open "$RHOST" "$RPORT"; then
  if ! local_host "$RHOST"; then
    echo "services: REDIS_URL points at $RHOST:$RPORT, which does not answer." >&2; exit 1
  fi
  if ! start_redis; then
    if can_install; then apt_install redis-server && start_redis; fi
  fi
  if ! open "$RHOST" "$RPORT"; then
    cat >&2 <<MSG
services: Redis is not running on $RHOST:$RPORT and could not be started.
Install and start it, then run this again:
  sudo apt-get install -y redis-server && redis-server --daemonize yes --port $RPORT
or point REDIS_URL at a Redis you have.
MSG
    exit 1
  fi
fi
echo "services: Redis is up on $RHOST:$RPORT"

# The application's database must exist before it can be migrated.
if [ "${1:-}" = "--create-db" ]; then
  dbname=${db_url##*/}; dbname=${dbname%%\?*}
  if command -v psql >/dev/null; then
    admin_url=${db_url%/*}/postgres
    if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
      psql "$admin_url" -qc "CREATE DATABASE \"$dbname\"" && echo "services: created database $dbname"
    fi
  fi
fi
