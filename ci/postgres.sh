#!/usr/bin/env bash
# A throw-away PostgreSQL 17 with pgvector for the tests and the benchmark.
#
#   ci/postgres.sh start   installs the server into a cache root if absent (debootstrap, once),
#                          runs initdb + pg_ctl inside it via chroot on 127.0.0.1 and a free port,
#                          creates the database with the vector extension, prints export DLIB_PG=...
#   ci/postgres.sh env     prints export DLIB_PG=... for a running server
#   ci/postgres.sh stop    stops the server and deletes its data directory
#
# Use: eval "$(ci/postgres.sh start)". Needs root (debootstrap, chroot).
# DLIB_PG_ROOT: the cache root (default /var/cache/dlibmodels-pg), kept and re-used across runs.
set -euo pipefail

ROOT="${DLIB_PG_ROOT:-/var/cache/dlibmodels-pg}"
SUITE="${DLIB_PG_SUITE:-trixie}"
PGBIN=/usr/lib/postgresql/17/bin
DATA=/var/lib/dlibpg/data          # inside the root
STATE="$ROOT/var/lib/dlibpg/state" # port of the running server
DB=dlibmodels
PGUSER_NAME=postgres

log() { echo "postgres.sh: $*" >&2; }

install_root() {
  if [ -x "$ROOT$PGBIN/postgres" ] && [ -f "$ROOT/usr/share/postgresql/17/extension/vector.control" ]; then
    return
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    (apt-get update -qq && apt-get install -y -qq debootstrap) >&2
  fi
  log "installing PostgreSQL 17 + pgvector into $ROOT (debootstrap $SUITE, once)"
  unmount_all "$ROOT"; unmount_all "$ROOT.tmp"
  rm -rf --one-file-system "$ROOT.tmp"
  mkdir -p "$ROOT.tmp"
  debootstrap --variant=minbase --include=postgresql-17,postgresql-17-pgvector "$SUITE" "$ROOT.tmp" >&2
  rm -rf --one-file-system "$ROOT"
  mv "$ROOT.tmp" "$ROOT"
}

unmount_all() {
  if mountpoint -q "$1/proc" 2>/dev/null; then umount "$1/proc" 2>/dev/null || umount -l "$1/proc" || true; fi
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
as_pg() { in_root /usr/sbin/runuser -u postgres -- "$@"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

print_env() {
  local port
  port=$(cat "$STATE" 2>/dev/null) || { log "not running (no $STATE)"; exit 1; }
  echo "export DLIB_PG='Host=127.0.0.1;Port=$port;Username=$PGUSER_NAME;Database=$DB'"
}

running() { [ -f "$STATE" ] && as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  install_root
  if running; then print_env; return; fi
  mkdir -p "$ROOT/proc"
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc" 2>/dev/null || true
  in_root /bin/sh -c "rm -rf $DATA && mkdir -p $DATA /var/run/postgresql && chown -R postgres:postgres /var/lib/dlibpg /var/run/postgresql"
  as_pg "$PGBIN/initdb" -D "$DATA" -U "$PGUSER_NAME" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  local port
  port=$(free_port)
  cat >>"$ROOT$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '/var/run/postgresql'
max_connections = 200
shared_buffers = 512MB
maintenance_work_mem = 1GB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
  echo "$port" >"$STATE"
  as_pg /usr/bin/psql -h 127.0.0.1 -p "$port" -U "$PGUSER_NAME" -d postgres -qc "create database $DB" >/dev/null
  as_pg /usr/bin/psql -h 127.0.0.1 -p "$port" -U "$PGUSER_NAME" -d "$DB" -qc "create extension vector" >/dev/null
  log "PostgreSQL 17 + pgvector listening on 127.0.0.1:$port, database $DB"
  print_env
}

stop() {
  if [ -f "$STATE" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -f "$STATE"
  fi
  if [ -d "$ROOT$DATA" ]; then rm -rf --one-file-system "${ROOT:?}$DATA"; fi
  unmount_all "$ROOT"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
