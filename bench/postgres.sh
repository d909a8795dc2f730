#!/usr/bin/env bash
# bench/postgres.sh: PostgreSQL protection (issue 5). On a throw-away PostgreSQL 15 cluster holding a pgbench
# database (scale 50 by default) and a Varlor-like database (varlor-server's schema: tenants, datasets,
# dataset_columns with realistic rows), in one run:
#   - logical: the guide's `pg_dump --format=custom --compress=9 | gzip` and its pg_restore, against our
#     `db dump` and `db restore --target-db`, on each database;
#   - physical: pgBackRest full backups (compress-type lz4 and zst, process-max 2) and `pgbackrest restore`
#     into an empty folder, against our `db basebackup` and `db restore SNAPSHOT --target-dir DIR`; every
#     restored cluster is started and checked (row count of pgbench_accounts): a restore counts only if it works;
#   - WAL: pgbench -c 4 -j 2 at full speed with archive_command set to ours, then to pgbackrest archive-push
#     (sync, then archive-async=y), sampling every second the segments waiting (.ready) and the archiver's lag;
#   - PITR: note a time T, change things, recover to T with ours (`db restore --to-time T --start`) and with
#     `pgbackrest restore --type=time`, timed until the server is promoted, and checked.
# Wall time, CPU time and peak RSS come from /usr/bin/time -v; sizes from du. Ratios are ours / theirs.
# Parts that need `varlor-backup wal ...` or `db restore --to-time` print "not measured: command not available"
# until those commands exist.
# Rewrites the section "PostgreSQL (issue 5)" of docs/benchmarks.md (--no-doc to only print).
#
#   bench/postgres.sh [--scale 50] [--datasets 100000] [--seconds 60] [--keep] [--no-doc]
#
# Needs PostgreSQL 15's server programs (/usr/lib/postgresql/15/bin, or PG_BIN=DIR), pgbackrest (the Debian
# package, 2.45), GNU time (/usr/bin/time), gzip and python3; it installs nothing and says what is missing.
# As root, the cluster and every tool touching it run as the unprivileged user varlortest (VARLOR_PG_OS_USER to
# change it), like the test fixture. Work files go to .bench/postgres (git-ignored; BENCH_WORK=DIR to move it);
# the folder is removed at the end unless --keep. VARLOR_BIN=path times another build of varlor-backup.
set -euo pipefail
BENCH_LOG_TAG="pg bench"
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
ROOT=$BENCH_ROOT
SCALE=50; DATASETS=100000; SECONDS_RUN=60; KEEP=0; WRITE_DOC=1
COMMAND_LINE="bench/postgres.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=${2:?}; shift 2 ;;
    --datasets) DATASETS=${2:?}; shift 2 ;;
    --seconds) SECONDS_RUN=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "postgres.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK="${BENCH_WORK:-$ROOT/.bench}/postgres"
RUN="$WORK/run"                       # everything the server user writes: clusters, repositories, logs
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

missing=()
[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pgbench" ] || missing+=("PostgreSQL 15 server programs in $PG_BIN (apt-get install postgresql-15)")
command -v pgbackrest >/dev/null || missing+=("pgbackrest (apt-get install pgbackrest)")
[ -x /usr/bin/time ] || missing+=("GNU time (apt-get install time)")
command -v gzip >/dev/null || missing+=("gzip")
command -v python3 >/dev/null || missing+=("python3")
command -v dotnet >/dev/null || missing+=("the .NET 10 SDK")
[ ${#missing[@]} -eq 0 ] || die "missing: $(printf '%s; ' "${missing[@]}")"

PGUSER_OS=
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=${VARLOR_PG_OS_USER:-varlortest}
  id "$PGUSER_OS" >/dev/null 2>&1 || die "running as root: user $PGUSER_OS is missing to run PostgreSQL (useradd --system $PGUSER_OS, as .ci/install-deps does)"
fi

CLUSTERS=()   # data folders of every server started, stopped at the end
cleanup() {
  local rc=$? d
  for d in "${CLUSTERS[@]}"; do
    if [ -f "$d/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true; fi
  done
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf -- "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf -- "$WORK"; mkdir -p "$WORK/logs" "$RUN/home" "$RUN/socket"
[ -z "$PGUSER_OS" ] || chown -R "$PGUSER_OS:" "$RUN"
# $WORK/as-pg CMD...: runs CMD as the cluster's owner (as root: through runuser), with HOME in the work folder.
# A script rather than a function, so that /usr/bin/time can run it.
AS_PG="$WORK/as-pg"
cat >"$AS_PG" <<EOF
#!/bin/sh
export HOME='$RUN/home'
if [ -n '$PGUSER_OS' ]; then exec runuser -u '$PGUSER_OS' -- "\$@"; else exec "\$@"; fi
EOF
chmod 755 "$AS_PG"
as_pg() { "$AS_PG" "$@"; }

# ---------------------------------------------------------------- tools
if [ -n "${VARLOR_BIN:-}" ]; then
  VARLOR_EXE=$VARLOR_BIN
else
  log "building varlor-backup (Release) into $WORK/varlor"
  build_project src/Varlor.Backup.Cli/Varlor.Backup.Cli.csproj "$WORK/varlor" "$WORK/logs/build.log" varlor-backup
  VARLOR_EXE="$WORK/varlor/varlor-backup"
fi
[ -x "$VARLOR_EXE" ] || die "$VARLOR_EXE is not an executable"
printf 'bench password\n' >"$RUN/password"; chmod 600 "$RUN/password"
[ -z "$PGUSER_OS" ] || chown "$PGUSER_OS:" "$RUN/password"
OURS_DUMPS="$RUN/varlor-dumps"; OURS_BASE="$RUN/varlor-base"; OURS_WAL="$RUN/varlor-wal"
VARLOR="$WORK/varlor-as-pg"    # varlor-backup as the cluster's owner, with the benchmark's password file
printf '#!/bin/sh\nexec %s %s --password-file %s "$@"\n' "$AS_PG" "$VARLOR_EXE" "$RUN/password" >"$VARLOR"; chmod 755 "$VARLOR"
varlor() { "$VARLOR" "$@"; }
HAVE_WAL=0; HAVE_PITR=0
# (an unknown command's --help prints the root help and exits 0 too: the usage line must name "wal")
if varlor wal --help >"$WORK/logs/wal-help.log" 2>&1 && grep -q 'varlor-backup wal' "$WORK/logs/wal-help.log"; then HAVE_WAL=1; fi
if varlor db restore --help 2>/dev/null | grep -q -- '--to-time'; then HAVE_PITR=1; fi
[ "$HAVE_WAL" = 1 ] || log "varlor-backup wal: command not available (WAL and PITR parts of ours are not measured)"
VARLOR_VERSION=$(program_version "$VARLOR_EXE" || echo '?')
PGBR_VERSION=$(pgbackrest version)

PORT=$(free_port)
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
q() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }            # psql on the main cluster
qp() { local port=$1; shift; as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -p "$port" "$@"; }

# ---------------------------------------------------------------- the cluster
DATA="$RUN/pgdata"
log "initdb in $DATA (port $PORT${PGUSER_OS:+, as $PGUSER_OS})"
as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed (see $WORK/logs/initdb.log)"
cat >>"$DATA/postgresql.conf" <<EOF

# bench/postgres.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN/socket'
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = off
wal_level = replica
archive_mode = on
archive_command = '/bin/true'
archive_timeout = 60
max_wal_senders = 10
EOF
CLUSTERS+=("$DATA")
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$RUN/server.log" -w -t 120 start >/dev/null || die "server did not start (see $RUN/server.log)"
PG_VERSION=$(q -c 'SHOW server_version')

# pgBackRest: one stanza whose repository is in the work folder; archive-push lz4 like the fastest backup.
PGBR_CONF="$RUN/pgbackrest.conf"
cat >"$PGBR_CONF" <<EOF
[global]
repo1-path=$RUN/pgbackrest/repo
log-path=$RUN/pgbackrest/log
lock-path=$RUN/pgbackrest/lock
spool-path=$RUN/pgbackrest/spool
log-level-console=warn
log-level-file=info
process-max=2
compress-type=lz4
start-fast=y
repo1-retention-full=9

[bench]
pg1-path=$DATA
pg1-port=$PORT
pg1-socket-path=$RUN/socket
pg1-user=postgres
EOF
mkdir -p "$RUN/pgbackrest"/{repo,log,lock,spool}
[ -z "$PGUSER_OS" ] || chown -R "$PGUSER_OS:" "$RUN/pgbackrest" "$PGBR_CONF"
pgbr() { as_pg pgbackrest --config="$PGBR_CONF" --stanza=bench "$@"; }
PGBR_PUSH="pgbackrest --config=$PGBR_CONF --stanza=bench archive-push %p"
PGBR_PUSH_ASYNC="pgbackrest --config=$PGBR_CONF --stanza=bench --archive-async archive-push %p"
OURS_PUSH="$VARLOR_EXE --repo $OURS_WAL --password-file $RUN/password wal push %p"

set_archive_command() {
  q -c "ALTER SYSTEM SET archive_command = '${1//\'/\'\'}'" -c 'SELECT pg_reload_conf()' >/dev/null
  sleep 1
}

# ---------------------------------------------------------------- data
LOAD_AT_START=$(loadavg)
log "pgbench -i -s $SCALE"
q -c 'CREATE DATABASE bench' -c 'CREATE DATABASE varlor'
as_pg "$PG_BIN/pgbench" -i -s "$SCALE" -q bench >"$WORK/logs/pgbench-init.log" 2>&1 || die "pgbench -i failed (see $WORK/logs/pgbench-init.log)"
ACCOUNTS=$((SCALE * 100000))

log "Varlor-like database: $DATASETS datasets"
q -d varlor -f "$ROOT/src/Varlor.Server/Database/Migrations/0001_initial.sql" >/dev/null
# Deterministic (setseed): 40 tenants of Zipf-like weight; datasets spread over a year in upload order, log-normal
# sizes, a mix of formats, 3% deleted, some re-uploaded; 4 to 16 columns each with realistic names, types and stats.
q -d varlor >"$WORK/logs/varlor-data.log" 2>&1 <<SQL || die "Varlor-like data failed (see $WORK/logs/varlor-data.log)"
SELECT setseed(0.42);
INSERT INTO tenants (id, name, api_key_hash, api_key_prefix, created_at)
  SELECT gen_random_uuid(), (ARRAY['acme','globex','initech','umbrella','hooli','stark','wayne','wonka','tyrell','cyberdyne'])[1 + g % 10] || '-' || g,
         sha256(('key ' || g)::bytea), 'vk_' || substr(md5(g::text), 1, 6), now() - interval '400 days' + g * interval '1 day'
  FROM generate_series(1, 40) g;
INSERT INTO datasets (id, tenant_id, name, original_file_name, format, size, row_count, sha256, status, version, storage_path, created_at, updated_at, deleted_at)
  SELECT id, tenant_id, kind || ' ' || to_char(created, 'YYYY-MM-DD') || ' #' || g, kind || '_' || to_char(created, 'YYYYMMDD') || '.' || fmt, fmt,
         size, size / (60 + g % 90), encode(sha256(('content ' || g)::bytea), 'hex'),
         CASE WHEN del THEN 'deleted' ELSE 'ready' END, ver, 'datasets/' || tenant_id || '/' || id || '/' || kind || '.' || fmt,
         created, created + (ver - 1) * interval '3 days', CASE WHEN del THEN created + interval '20 days' END
  FROM (
    SELECT g, gen_random_uuid() AS id,
           (ARRAY(SELECT id FROM tenants ORDER BY created_at))[1 + floor(40 * power(random(), 2.5))::int] AS tenant_id,
           (ARRAY['orders','customers','transactions','sensor_readings','invoices','shipments','inventory','web_events'])[1 + floor(random() * 8)::int] AS kind,
           (ARRAY['csv','csv','csv','csv','tsv','jsonl','jsonl'])[1 + floor(random() * 7)::int] AS fmt,
           greatest(1, exp(12.45 + 1.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::bigint AS size,
           random() < 0.03 AS del, CASE WHEN random() < 0.1 THEN 2 + floor(random() * 3)::int ELSE 1 END AS ver,
           now() - interval '365 days' + g * (interval '365 days' / $DATASETS) AS created
    FROM generate_series(1, $DATASETS) g) s;
INSERT INTO dataset_columns (dataset_id, position, name, type, nullable, stats)
  SELECT d.id, p, n.names[1 + (p + h) % 24], n.types[1 + (p + h) % 24], random() < 0.3,
         CASE n.types[1 + (p + h) % 24]
           WHEN 'integer' THEN jsonb_build_object('distinct', floor(d.row_count * random())::bigint, 'nulls', floor(d.row_count * random() * 0.02)::bigint, 'min', floor(random() * 100)::int, 'max', floor(random() * 1e6)::int)
           WHEN 'decimal' THEN jsonb_build_object('distinct', floor(d.row_count * random())::bigint, 'nulls', 0, 'min', round((random() * 10)::numeric, 2), 'max', round((random() * 1e5)::numeric, 2), 'mean', round((random() * 500)::numeric, 4))
           WHEN 'datetime' THEN jsonb_build_object('distinct', floor(d.row_count * random())::bigint, 'nulls', 0, 'min', to_char(d.created_at - interval '30 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'max', to_char(d.created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
           WHEN 'date' THEN jsonb_build_object('distinct', 1 + floor(random() * 365)::int, 'nulls', 0, 'min', to_char(d.created_at - interval '365 days', 'YYYY-MM-DD'), 'max', to_char(d.created_at, 'YYYY-MM-DD'))
           WHEN 'boolean' THEN jsonb_build_object('distinct', 2, 'nulls', floor(random() * 10)::int, 'true', floor(d.row_count * random())::bigint)
           ELSE jsonb_build_object('distinct', floor(d.row_count * random())::bigint, 'nulls', floor(d.row_count * random() * 0.05)::bigint, 'max_length', 4 + floor(random() * 60)::int,
                                   'top', jsonb_build_array(substr(md5(d.id::text || p), 1, 8), substr(md5(p || d.id::text), 1, 6)))
         END
  FROM datasets d
  CROSS JOIN LATERAL (SELECT abs(hashtext(d.id::text)::bigint)::int AS h) x
  CROSS JOIN LATERAL generate_series(0, 3 + x.h % 13) p
  CROSS JOIN (SELECT ARRAY['id','customer_id','order_date','amount','currency','status','email','country','sku','quantity','unit_price','created_at',
                           'updated_at','latitude','longitude','temperature','device_id','reading','category','description','is_active','invoice_no','tax','discount'] AS names,
                     ARRAY['integer','integer','date','decimal','text','text','text','text','text','integer','decimal','datetime',
                           'datetime','decimal','decimal','decimal','text','decimal','text','text','boolean','text','decimal','decimal'] AS types) n;
VACUUM ANALYZE;
SQL
q -c 'CHECKPOINT' >/dev/null
DB_BENCH_BYTES=$(q -c "SELECT pg_database_size('bench')")
DB_VARLOR_BYTES=$(q -c "SELECT pg_database_size('varlor')")
CLUSTER_BYTES=$(q -c "SELECT sum(pg_database_size(oid)) FROM pg_database")
VARLOR_ROWS=$(q -d varlor -c "SELECT (SELECT count(*) FROM datasets) || ' datasets, ' || (SELECT count(*) FROM dataset_columns) || ' dataset_columns rows'")
log "bench $((DB_BENCH_BYTES / 1048576)) MiB, varlor $((DB_VARLOR_BYTES / 1048576)) MiB ($VARLOR_ROWS)"

# ---------------------------------------------------------------- measuring
declare -A R
bytes_of() { du -sb "$@" 2>/dev/null | awk '{s += $1} END {printf "%d", s}'; }
# A repository's size: its data, index, snapshots and keys.
repo_bytes() { bytes_of "$1/data" "$1/index" "$1/snapshots" "$1/keys"; }
ratio_pg() { ratio "$1" "$2" -; }   # this script's tables say "-" for what is missing
# measure KEY CMD...: runs CMD under /usr/bin/time -v; records KEY.s (wall), KEY.cpu (user + sys), KEY.rss (MiB).
measure() {
  local key=$1 out="$WORK/logs/$1" rc; shift
  timed "$out" "$@"
  rc=$TIMED_RC
  R[$key.s]=$(seconds "$TIMED_NS")
  R[$key.cpu]=$TIMED_CPU
  R[$key.rss]=$([ -z "$TIMED_RSS_KIB" ] || awk -v k="$TIMED_RSS_KIB" 'BEGIN {printf "%.0f", k / 1024}')
  if [ "$rc" -ne 0 ]; then
    log "$key FAILED (exit $rc); last lines of $out.log:"; tail -n 5 "$out.log" >&2
    R[$key.s]=""; return 1
  fi
  log "$(printf '%-28s %8.2f s  %7.2f s CPU  %5d MiB peak' "$key" "${R[$key.s]}" "${R[$key.cpu]}" "${R[$key.rss]}")"
}
# start_copy DIR PORT [EXTRA pg_ctl -o options]: starts a restored cluster, waits until it is promoted.
start_copy() {
  local dir=$1 port=$2
  CLUSTERS+=("$dir")
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -o "-p $port -c archive_mode=off ${3:-}" -w -t 600 start >/dev/null 2>&1 || return 1
  wait_promoted "$port"
}
wait_promoted() {
  local port=$1
  for _ in $(seq 6000); do
    [ "$(qp "$port" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && return 0
    sleep 0.1
  done
  return 1
}
stop_copy() { as_pg "$PG_BIN/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf -- "$1"; }
accounts_ok() { [ "$(qp "$1" -d bench -c 'SELECT count(*) FROM pgbench_accounts' 2>/dev/null)" = "$ACCOUNTS" ]; }
now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN {printf "%.2f", (b - a) / 1e9}'; }
empty_dir() { mkdir -p "$1"; [ -z "$PGUSER_OS" ] || chown "$PGUSER_OS:" "$1"; chmod 700 "$1"; }

varlor --repo "$OURS_DUMPS" init >"$WORK/logs/init-dumps.log" 2>&1 || die "varlor-backup init failed (see $WORK/logs/init-dumps.log)"
varlor --repo "$OURS_BASE" init >"$WORK/logs/init-base.log" 2>&1 || die "varlor-backup init failed"
varlor --repo "$OURS_WAL" init >"$WORK/logs/init-wal.log" 2>&1 || die "varlor-backup init failed"

# ---------------------------------------------------------------- logical: dumps and restores
for db in bench varlor; do
  log "logical: $db"
  measure "guide.dump.$db" bash -o pipefail -c "'$PG_BIN/pg_dump' --format=custom --compress=9 -d $db | gzip > '$WORK/$db.dump.gz'" || true
  R[guide.dump.$db.bytes]=$(bytes_of "$WORK/$db.dump.gz")
  before=$(repo_bytes "$OURS_DUMPS")
  if measure "ours.dump.$db" env PGDATABASE=$db "$VARLOR" --repo "$OURS_DUMPS" --json db dump; then
    R[ours.dump.$db.bytes]=$(( $(repo_bytes "$OURS_DUMPS") - before ))
    R[ours.dump.$db.id]=$(grep -o '"snapshot": *"[0-9a-f]*"' "$WORK/logs/ours.dump.$db.log" | head -n1 | sed 's/.*"\([0-9a-f]*\)"$/\1/')
  fi
  q -c "CREATE DATABASE guide_$db" >/dev/null
  measure "guide.restore.$db" bash -o pipefail -c "gunzip -c '$WORK/$db.dump.gz' | '$PG_BIN/pg_restore' --no-owner -d guide_$db" || true
  if [ -n "${R[ours.dump.$db.id]:-}" ]; then
    measure "ours.restore.$db" env PGDATABASE=$db "$VARLOR" --repo "$OURS_DUMPS" db restore "${R[ours.dump.$db.id]}" --target-db "ours_$db" || true
  fi
  # A restore counts only if its rows are all there.
  expect=$(q -d "$db" -c "SELECT sum(c) FROM (SELECT (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || oid::regclass, false, true, '')))[1]::text::bigint AS c FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace) t")
  for who in guide ours; do
    got=$(q -d "${who}_$db" -c "SELECT sum(c) FROM (SELECT (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || oid::regclass, false, true, '')))[1]::text::bigint AS c FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace) t" 2>/dev/null || echo missing)
    if [ "$got" = "$expect" ] && [ -n "${R[$who.restore.$db.s]:-}" ]; then R[$who.restore.$db.ok]=yes; else R[$who.restore.$db.ok]="NO ($got of $expect rows)"; R[$who.restore.$db.s]=""; fi
    q -c "DROP DATABASE IF EXISTS ${who}_$db" >/dev/null
  done
  R[rows.$db]=$expect
  rm -f "$WORK/$db.dump.gz"
done

# ---------------------------------------------------------------- physical: base backups and restores
log "physical: pgBackRest stanza-create, full backups (lz4, zst), restores"
pgbr stanza-create >"$WORK/logs/pgbr-stanza.log" 2>&1 || die "pgbackrest stanza-create failed (see $WORK/logs/pgbr-stanza.log)"
set_archive_command "$PGBR_PUSH"
pgbr check >"$WORK/logs/pgbr-check.log" 2>&1 || die "pgbackrest check failed (see $WORK/logs/pgbr-check.log)"
q -c 'CHECKPOINT' >/dev/null
# full_backups: the labels of pgBackRest's full backups (YYYYMMDD-HHMMSSF), sorted.
full_backups() {
  local d
  for d in "$RUN/pgbackrest/repo/backup/bench"/*F; do
    d=${d##*/}
    if [[ $d =~ ^[0-9]{8}-[0-9]{6}F$ ]]; then echo "$d"; fi
  done | sort
}
for c in lz4 zst; do
  before=$(full_backups)
  measure "pgbr.backup.$c" "$AS_PG" pgbackrest --config="$PGBR_CONF" --stanza=bench --type=full --compress-type=$c --process-max=2 backup || true
  label=$(full_backups | comm -13 <(printf '%s\n' "$before") - | tail -n1)
  R[pgbr.backup.$c.label]=$label
  R[pgbr.backup.$c.bytes]=$(bytes_of "$RUN/pgbackrest/repo/backup/bench/$label")
done
q -c 'CHECKPOINT' >/dev/null
before=$(repo_bytes "$OURS_BASE")
if measure ours.backup "$VARLOR" --repo "$OURS_BASE" --json db basebackup; then
  R[ours.backup.bytes]=$(( $(repo_bytes "$OURS_BASE") - before ))
  R[ours.backup.id]=$(grep -o '"snapshot": *"[0-9a-f]*"' "$WORK/logs/ours.backup.log" | head -n1 | sed 's/.*"\([0-9a-f]*\)"$/\1/')
fi
COPY_PORT=$(free_port)
for c in lz4 zst; do
  dir="$RUN/restore-pgbr-$c"; empty_dir "$dir"
  [ -n "${R[pgbr.backup.$c.label]}" ] || continue
  warm "$RUN/pgbackrest/repo"
  t0=$(now_ns)
  if measure "pgbr.restore.$c" "$AS_PG" pgbackrest --config="$PGBR_CONF" --stanza=bench --pg1-path="$dir" --set="${R[pgbr.backup.$c.label]}" restore \
     && start_copy "$dir" "$COPY_PORT" && R[pgbr.restore.$c.ready]=$(secs_since "$t0") && accounts_ok "$COPY_PORT"; then
    R[pgbr.restore.$c.ok]=yes
  else
    R[pgbr.restore.$c.ok]=NO; R[pgbr.restore.$c.s]=""; R[pgbr.restore.$c.ready]=""; log "pgbackrest restore $c did not give a working cluster (see $dir.log)"
  fi
  stop_copy "$dir"
done
dir="$RUN/restore-ours"; empty_dir "$dir"
if [ -n "${R[ours.backup.id]:-}" ]; then
  warm "$OURS_BASE"
  t0=$(now_ns)
  if measure ours.restore "$VARLOR" --repo "$OURS_BASE" db restore "${R[ours.backup.id]}" --target-dir "$dir" \
     && start_copy "$dir" "$COPY_PORT" && R[ours.restore.ready]=$(secs_since "$t0") && accounts_ok "$COPY_PORT"; then
    R[ours.restore.ok]=yes
  else
    R[ours.restore.ok]=NO; R[ours.restore.s]=""; R[ours.restore.ready]=""; log "our restore did not give a working cluster (see $dir.log)"
  fi
fi
stop_copy "$dir"

# ---------------------------------------------------------------- WAL: does archiving keep up with pgbench?
SEG=$(q -c "SELECT pg_size_bytes(current_setting('wal_segment_size'))")
# One line per second: time, .ready segments, WAL bytes written so far, segments archived, failures, bytes not yet archived.
SAMPLE_SQL="SELECT extract(epoch FROM clock_timestamp())::numeric(16,2),
  (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'),
  pg_current_wal_lsn() - '0/0'::pg_lsn, archived_count, failed_count,
  CASE WHEN last_archived_wal ~ '^[0-9A-F]{24}\$' THEN greatest(0, (pg_current_wal_lsn() - '0/0'::pg_lsn)
       - (('x' || substr(last_archived_wal, 9, 8))::bit(32)::bigint * (4294967296 / $SEG) + ('x' || substr(last_archived_wal, 17, 8))::bit(32)::bigint + 1) * $SEG)
       ELSE 0 END
  FROM pg_stat_archiver"
wait_drained() {  # until nothing waits (or 600 s); prints seconds waited
  local t0; t0=$(now_ns)
  for _ in $(seq 6000); do
    [ "$(q -c "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'")" = 0 ] && break
    sleep 0.1
  done
  secs_since "$t0"
}
# walrun KEY ARCHIVE_COMMAND: pgbench at full speed for SECONDS_RUN s with that archive_command.
walrun() {
  local key=$1 cmd=$2 samples="$WORK/logs/$1.samples" sampler
  set_archive_command "$cmd"
  q -c 'SELECT pg_switch_wal()' >/dev/null
  wait_drained >/dev/null
  q -c "SELECT pg_stat_reset_shared('archiver')" >/dev/null
  q -c 'CHECKPOINT' >/dev/null
  : >"$samples"
  ( while true; do q -F ' ' -c "$SAMPLE_SQL" >>"$samples" 2>/dev/null || true; sleep 1; done ) &
  sampler=$!
  local start_line end_line t0
  sleep 1.2
  as_pg "$PG_BIN/pgbench" -c 4 -j 2 -T "$SECONDS_RUN" -P 10 bench >"$WORK/logs/$key.pgbench.log" 2>&1 || log "pgbench failed (see $WORK/logs/$key.pgbench.log)"
  t0=$(now_ns)
  sleep 1.2
  end_line=$(tail -n1 "$samples")
  R[$key.drain]=$(wait_drained)
  sleep 1.2
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  start_line=$(head -n1 "$samples")
  R[$key.tps]=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/logs/$key.pgbench.log" | head -n1 | awk '{printf "%.0f", $1}')
  # generated / archived MB/s over the pgbench run; backlog maxima over the whole run including the drain
  local gen arch
  read -r gen arch <<<"$(awk -v a="$start_line" -v b="$end_line" -v seg="$SEG" 'BEGIN {
      split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
      printf "%.1f %.1f", (y[3] - x[3]) / 1048576 / t, (y[4] - x[4]) * seg / 1048576 / t }')"
  R[$key.gen]=$gen; R[$key.arch]=$arch
  R[$key.maxready]=$(awk 'max < $2 {max = $2} END {print max + 0}' "$samples")
  R[$key.maxlag]=$(awk 'max < $6 {max = $6} END {printf "%.0f", max / 1048576}' "$samples")
  R[$key.failed]=$(tail -n1 "$samples" | awk '{print $5}')
  log "$(printf '%-14s pgbench %s tps; WAL %s MB/s written, %s MB/s archived; max %s segments waiting, max lag %s MiB; drained %s s after; %s failures' \
    "$key" "${R[$key.tps]}" "${R[$key.gen]}" "${R[$key.arch]}" "${R[$key.maxready]}" "${R[$key.maxlag]}" "${R[$key.drain]}" "${R[$key.failed]}")"
}
log "WAL: pgbench -c 4 -j 2 -T $SECONDS_RUN with each archive_command"
walrun wal.pgbr "$PGBR_PUSH"
walrun wal.pgbra "$PGBR_PUSH_ASYNC"

# ---------------------------------------------------------------- PITR
# pitr_prepare: rows before T, T, then changes (rows after T, a wrongful delete); the WAL is switched and archived.
pitr_prepare() {
  q -d varlor -c "DROP TABLE IF EXISTS pitr_check" -c "CREATE TABLE pitr_check (id int, phase text)" \
    -c "INSERT INTO pitr_check SELECT g, 'before' FROM generate_series(1, 1000) g" >/dev/null
  PITR_COLUMNS=$(q -d varlor -c 'SELECT count(*) FROM dataset_columns')
  sleep 1
  PITR_T=$(q -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
  sleep 1
  q -d varlor -c "INSERT INTO pitr_check SELECT g, 'after' FROM generate_series(1001, 2000) g" \
    -c "DELETE FROM dataset_columns WHERE dataset_id IN (SELECT id FROM datasets ORDER BY created_at DESC LIMIT 1000)" >/dev/null
  as_pg "$PG_BIN/pgbench" -c 2 -j 2 -T 5 bench >/dev/null 2>&1 || true
  q -c 'SELECT pg_switch_wal()' >/dev/null
  wait_drained >/dev/null
}
pitr_ok() {
  local port=$1
  [ "$(qp "$port" -d varlor -c "SELECT count(*) FILTER (WHERE phase = 'before') || '/' || count(*) FILTER (WHERE phase = 'after') FROM pitr_check")" = "1000/0" ] \
    && [ "$(qp "$port" -d varlor -c 'SELECT count(*) FROM dataset_columns')" = "$PITR_COLUMNS" ] && accounts_ok "$port"
}
log "PITR: pgBackRest (restore --type=time)"
set_archive_command "$PGBR_PUSH"
pgbr --type=full --compress-type=lz4 backup >"$WORK/logs/pgbr.pitr-backup.log" 2>&1 || log "pgbackrest backup before PITR failed"
pitr_prepare
dir="$RUN/pitr-pgbr"; empty_dir "$dir"
t0=$(now_ns)
if measure pgbr.pitr "$AS_PG" pgbackrest --config="$PGBR_CONF" --stanza=bench --pg1-path="$dir" --type=time "--target=$PITR_T" --target-action=promote restore \
   && start_copy "$dir" "$COPY_PORT" && R[pgbr.pitr.ready]=$(secs_since "$t0") && pitr_ok "$COPY_PORT"; then
  R[pgbr.pitr.ok]=yes
else
  R[pgbr.pitr.ok]=NO; R[pgbr.pitr.ready]=""; log "pgBackRest PITR did not give the expected cluster (see $dir.log)"
fi
stop_copy "$dir"

if [ "$HAVE_WAL" = 1 ]; then
  log "WAL and PITR: ours"
  walrun wal.ours "$OURS_PUSH"
  varlor --repo "$OURS_WAL" wal status >"$WORK/logs/ours.wal-status.log" 2>&1 || true
  if [ "$HAVE_PITR" = 1 ]; then
    varlor --repo "$OURS_WAL" db basebackup >"$WORK/logs/ours.pitr-basebackup.log" 2>&1 || log "our base backup before PITR failed"
    pitr_prepare
    dir="$RUN/pitr-ours"; empty_dir "$dir"
    CLUSTERS+=("$dir")
    t0=$(now_ns)
    if measure ours.pitr "$VARLOR" --repo "$OURS_WAL" db restore latest --to-time "$PITR_T" --target-dir "$dir" --start --port "$COPY_PORT" \
       && wait_promoted "$COPY_PORT" && R[ours.pitr.ready]=$(secs_since "$t0") && pitr_ok "$COPY_PORT"; then
      R[ours.pitr.ok]=yes
    else
      R[ours.pitr.ok]=NO; R[ours.pitr.ready]=""; log "our PITR did not give the expected cluster (see $WORK/logs/ours.pitr.log)"
    fi
    stop_copy "$dir"
  fi
fi
set_archive_command /bin/true
LOAD_AT_END=$(loadavg)

# ---------------------------------------------------------------- report
NA="not measured: command not available"
v() { local x=${R[$1]:-}; if [ -n "$x" ]; then echo "$x"; elif [ $# -ge 2 ]; then echo "$2"; else echo -; fi; }
mibv() { local x=${R[$1]:-}; if [ -n "$x" ]; then mib "$x"; else echo -; fi; }
row() { local IFS='|'; echo "| $* |" | sed 's/|/ | /g; s/  */ /g; s/^ //; s/ $//'; }
FASTEST=lz4
awk -v a="$(v pgbr.backup.zst.s 1e9)" -v b="$(v pgbr.backup.lz4.s 1e9)" 'BEGIN {exit !(a < b)}' && FASTEST=zst
FASTEST_RESTORE=lz4
awk -v a="$(v pgbr.restore.zst.s 1e9)" -v b="$(v pgbr.restore.lz4.s 1e9)" 'BEGIN {exit !(a < b)}' && FASTEST_RESTORE=zst
TABLE_LOGICAL=$(
  echo "| | bench: guide | bench: varlor-backup | ours / guide | varlor: guide | varlor: varlor-backup | ours / guide |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for m in s cpu rss; do
    case $m in s) name="Dump (s)";; cpu) name="Dump, CPU (user + sys, s)";; rss) name="Dump, peak memory (MiB)";; esac
    row "$name" "$(v guide.dump.bench.$m)" "$(v ours.dump.bench.$m)" "$(ratio_pg "$(v ours.dump.bench.$m '')" "$(v guide.dump.bench.$m '')")" \
        "$(v guide.dump.varlor.$m)" "$(v ours.dump.varlor.$m)" "$(ratio_pg "$(v ours.dump.varlor.$m '')" "$(v guide.dump.varlor.$m '')")"
  done
  row "Stored (MiB; ours: repository growth)" "$(mibv guide.dump.bench.bytes)" "$(mibv ours.dump.bench.bytes)" "$(ratio_pg "$(v ours.dump.bench.bytes '')" "$(v guide.dump.bench.bytes '')")" \
      "$(mibv guide.dump.varlor.bytes)" "$(mibv ours.dump.varlor.bytes)" "$(ratio_pg "$(v ours.dump.varlor.bytes '')" "$(v guide.dump.varlor.bytes '')")"
  for m in s cpu rss; do
    case $m in s) name="Restore into a new database (s)";; cpu) name="Restore, CPU (s)";; rss) name="Restore, peak memory (MiB)";; esac
    row "$name" "$(v guide.restore.bench.$m)" "$(v ours.restore.bench.$m)" "$(ratio_pg "$(v ours.restore.bench.$m '')" "$(v guide.restore.bench.$m '')")" \
        "$(v guide.restore.varlor.$m)" "$(v ours.restore.varlor.$m)" "$(ratio_pg "$(v ours.restore.varlor.$m '')" "$(v guide.restore.varlor.$m '')")"
  done
  row "Restore complete (row counts of every table)" "$(v guide.restore.bench.ok)" "$(v ours.restore.bench.ok)" "" "$(v guide.restore.varlor.ok)" "$(v ours.restore.varlor.ok)" ""
)
TABLE_PHYSICAL=$(
  echo "| | pgBackRest lz4 | pgBackRest zst | varlor-backup | ours / lz4 | ours / zst |"
  echo "|---|---:|---:|---:|---:|---:|"
  for m in s cpu rss; do
    case $m in s) name="Full backup (s)";; cpu) name="Full backup, CPU (user + sys, s)";; rss) name="Full backup, peak memory (MiB)";; esac
    row "$name" "$(v pgbr.backup.lz4.$m)" "$(v pgbr.backup.zst.$m)" "$(v ours.backup.$m)" "$(ratio_pg "$(v ours.backup.$m '')" "$(v pgbr.backup.lz4.$m '')")" "$(ratio_pg "$(v ours.backup.$m '')" "$(v pgbr.backup.zst.$m '')")"
  done
  row "Full backup stored (MiB)" "$(mibv pgbr.backup.lz4.bytes)" "$(mibv pgbr.backup.zst.bytes)" "$(mibv ours.backup.bytes)" \
      "$(ratio_pg "$(v ours.backup.bytes '')" "$(v pgbr.backup.lz4.bytes '')")" "$(ratio_pg "$(v ours.backup.bytes '')" "$(v pgbr.backup.zst.bytes '')")"
  for m in s cpu rss; do
    case $m in s) name="Restore into an empty folder (s)";; cpu) name="Restore, CPU (s)";; rss) name="Restore, peak memory (MiB)";; esac
    row "$name" "$(v pgbr.restore.lz4.$m)" "$(v pgbr.restore.zst.$m)" "$(v ours.restore.$m)" "$(ratio_pg "$(v ours.restore.$m '')" "$(v pgbr.restore.lz4.$m '')")" "$(ratio_pg "$(v ours.restore.$m '')" "$(v pgbr.restore.zst.$m '')")"
  done
  row "Restore, start and recovery until promoted (s)" "$(v pgbr.restore.lz4.ready)" "$(v pgbr.restore.zst.ready)" "$(v ours.restore.ready)" \
      "$(ratio_pg "$(v ours.restore.ready '')" "$(v pgbr.restore.lz4.ready '')")" "$(ratio_pg "$(v ours.restore.ready '')" "$(v pgbr.restore.zst.ready '')")"
  row "Restored cluster starts, $ACCOUNTS pgbench_accounts rows" "$(v pgbr.restore.lz4.ok)" "$(v pgbr.restore.zst.ok)" "$(v ours.restore.ok)" "" ""
)
walcell() { if [ "$1" = wal.ours ] && [ "$HAVE_WAL" != 1 ]; then echo "$NA"; else v "$1.$2"; fi; }
TABLE_WAL=$(
  echo "| pgbench -c 4 -j 2 -T $SECONDS_RUN, archive_command | varlor-backup wal push | pgbackrest archive-push | pgbackrest archive-push (archive-async) |"
  echo "|---|---:|---:|---:|"
  row "pgbench (tps)" "$(walcell wal.ours tps)" "$(walcell wal.pgbr tps)" "$(walcell wal.pgbra tps)"
  row "WAL written (MB/s)" "$(walcell wal.ours gen)" "$(walcell wal.pgbr gen)" "$(walcell wal.pgbra gen)"
  row "WAL archived during the run (MB/s)" "$(walcell wal.ours arch)" "$(walcell wal.pgbr arch)" "$(walcell wal.pgbra arch)"
  row "Most segments waiting (.ready)" "$(walcell wal.ours maxready)" "$(walcell wal.pgbr maxready)" "$(walcell wal.pgbra maxready)"
  row "Largest archiver lag (MiB of WAL not archived)" "$(walcell wal.ours maxlag)" "$(walcell wal.pgbr maxlag)" "$(walcell wal.pgbra maxlag)"
  row "Backlog drained after pgbench ended (s)" "$(walcell wal.ours drain)" "$(walcell wal.pgbr drain)" "$(walcell wal.pgbra drain)"
  row "archive_command failures" "$(walcell wal.ours failed)" "$(walcell wal.pgbr failed)" "$(walcell wal.pgbra failed)"
)
if [ "$HAVE_PITR" = 1 ] && [ "$HAVE_WAL" = 1 ]; then OP=$(v ours.pitr.s); OR=$(v ours.pitr.ready); OK=$(v ours.pitr.ok); else OP=$NA; OR=$NA; OK=$NA; fi
TABLE_PITR=$(
  echo "| recover to T | varlor-backup | pgBackRest | ours / pgBackRest |"
  echo "|---|---:|---:|---:|"
  row "Restore command (s)" "$OP" "$(v pgbr.pitr.s)" "$(ratio_pg "$(v ours.pitr.s '')" "$(v pgbr.pitr.s '')")"
  row "Until the server is promoted (s)" "$OR" "$(v pgbr.pitr.ready)" "$(ratio_pg "$(v ours.pitr.ready '')" "$(v pgbr.pitr.ready '')")"
  row "Rows before T all there, none after T" "$OK" "$(v pgbr.pitr.ok)" ""
)
verdict() { if [ -z "$1" ] || [ "$1" = - ]; then echo "not measured"; elif awk -v x="$1" 'BEGIN {exit !(x <= 1)}'; then echo met; else echo "not met"; fi; }
BT=$(ratio_pg "$(v ours.backup.s '')" "$(v pgbr.backup.$FASTEST.s '')"); BS=$(ratio_pg "$(v ours.backup.bytes '')" "$(v pgbr.backup.$FASTEST.bytes '')")
RT=$(ratio_pg "$(v ours.restore.s '')" "$(v pgbr.restore.$FASTEST_RESTORE.s '')")
if [ "$HAVE_WAL" = 1 ]; then
  WT="archived ${R[wal.ours.arch]:-?} of ${R[wal.ours.gen]:-?} MB/s written, at most ${R[wal.ours.maxready]:-?} segments waiting (pgBackRest sync ${R[wal.pgbr.maxready]:-?}, async ${R[wal.pgbra.maxready]:-?}), drained ${R[wal.ours.drain]:-?} s after"
  WV=$(awk -v a="${R[wal.ours.arch]:-0}" -v g="${R[wal.ours.gen]:-1}" -v d="${R[wal.ours.drain]:-99}" -v f="${R[wal.ours.failed]:-1}" 'BEGIN {print (a >= 0.95 * g && d <= 5 && f == 0) ? "met" : "not met"}')
else WT=$NA; WV="not measured"; fi
TABLE_TARGETS=$(
  echo "| Target (issue 5) | Required | Measured | |"
  echo "|---|---|---|---|"
  row "Base backup time" "at most pgBackRest's fastest full ($FASTEST)" "${BT}x" "$(verdict "$BT")"
  row "Base backup size" "at most that backup's size" "${BS}x" "$(verdict "$BS")"
  row "Restore time (files into an empty folder)" "at most pgBackRest's restore ($FASTEST_RESTORE, its fastest)" "${RT}x" "$(verdict "$RT")"
  row "WAL push keeps up with pgbench" "archives at least 95% of the WAL rate while pgbench runs, no failures, what waits at the end drained within 5 s" "$WT" "$WV"
  row "30 daily dumps, 1% of rows changed per day" "at most 2x one dump" "see [PostgreSQL dumps (issue 5)](#postgresql-dumps-issue-5)" ""
)
printf '\n%s\n\n%s\n\n%s\n\n%s\n\n%s\n' "$TABLE_LOGICAL" "$TABLE_PHYSICAL" "$TABLE_WAL" "$TABLE_PITR" "$TABLE_TARGETS"

[ "$WRITE_DOC" = 1 ] || exit 0
LOADED=$(awk -v a="${LOAD_AT_START%% *}" -v b="${LOAD_AT_END%% *}" -v n="$(nproc)" 'BEGIN {print (a > n / 2 || b > n / 2) ? 1 : 0}')
{
  echo "## PostgreSQL (issue 5)"
  echo
  echo "Written by \`bench/postgres.sh\` on $(date +%F) (rerunning it replaces this section only)."
  echo
  echo "Command: \`${COMMAND_LINE% }\`."
  echo
  echo "Machine: $(nproc) cores, $(cpu_model), $(ram_gib) RAM, Linux $(uname -r), $(os_name), one local disk for everything. Load average $LOAD_AT_START at the start, $LOAD_AT_END at the end."
  if [ "$LOADED" = 1 ]; then
    echo
    echo "**The machine was not idle during this run** (other work shared its $(nproc) cores): wall-clock figures and their ratios move between runs; CPU time is the steadier comparison."
  fi
  echo
  echo "Versions: PostgreSQL $PG_VERSION, $PGBR_VERSION (Debian package), varlor-backup $VARLOR_VERSION ($([ -n "${VARLOR_BIN:-}" ] && echo "VARLOR_BIN=$VARLOR_BIN" || echo "built from commit $(git_commit)")), gzip $(gzip --version | head -n1 | awk '{print $2}'), .NET SDK $(dotnet_sdk_version)."
  echo
  echo "Data: one cluster ($(mib "$CLUSTER_BYTES") MiB) with \`pgbench -i -s $SCALE\` ($(mib "$DB_BENCH_BYTES") MiB, $ACCOUNTS accounts) and a Varlor-like database ($(mib "$DB_VARLOR_BYTES") MiB: varlor-server's schema, 40 tenants, $VARLOR_ROWS with realistic names, sizes, formats and per-column statistics). Server settings: shared_buffers 256MB, synchronous_commit off (so that pgbench writes WAL as fast as the CPU allows), fsync on, archive_mode on, archive_timeout 60 s."
  echo
  echo "Method: each step runs under \`/usr/bin/time -v\` after \`sync\` (wall-clock seconds, user + sys CPU seconds, peak resident memory of the process tree's largest process). Our repositories are local, with default settings (FastCDC 256 KiB / 1 MiB / 4 MiB, and 64 KiB / 256 KiB / 1 MiB for \`db dump\`; zstd 3; AES-GCM); sizes are the repository's growth (data, index, snapshots, keys). pgBackRest: a local repository, \`--type=full --process-max=2 --compress-type=lz4|zst\` (default levels), archive-push with lz4; its backup size is the backup's folder. The guide's dump is \`pg_dump --format=custom --compress=9 | gzip\` into a file, restored with \`gunzip -c | pg_restore\` into a new database; ours is \`db dump\` and \`db restore SNAPSHOT --target-db NEW\`. A restore counts only if it works: every table's row count must match (logical), or the restored cluster must start, finish recovery and hold all $ACCOUNTS rows of pgbench_accounts (physical; started with \`pg_ctl\` on another port, archiving off). Before each physical restore the repository it reads is read once, so both tools start from the same warm page cache."
  echo
  echo "### Logical: dump and restore"
  echo
  echo "pgbench_accounts' filler column is blank padding, which gzip -9 of a whole file squeezes far better than zstd -3 per chunk: the Varlor-like database's sizes are the realistic ones. Our restore includes comparing every table's row count (and the checksum of datasets and dataset_columns) with the dump's manifest."
  echo
  echo "$TABLE_LOGICAL"
  echo
  echo "### Physical: base backup and restore"
  echo
  echo "$TABLE_PHYSICAL"
  echo
  echo "### WAL archiving under pgbench"
  echo
  echo "\`pgbench -c 4 -j 2 -T $SECONDS_RUN\` on the scale-$SCALE database with each archive_command (ours: \`varlor-backup --repo R --password-file F wal push %p\`; pgBackRest: \`pgbackrest archive-push %p\`, then with \`--archive-async\`, process-max 2). Every second the script counts the segments waiting in \`pg_wal/archive_status\` (\`pg_ls_archive_statusdir()\`) and reads \`pg_stat_archiver\`; the lag is the WAL written but not yet archived (it includes the segment being filled, up to $(mib "$SEG") MiB). Written and archived MB/s are over the pgbench run; the backlog left when it ends is then timed until drained."
  echo
  echo "$TABLE_WAL"
  echo
  echo "### Point-in-time recovery"
  echo
  echo "Right after a fresh base backup by each tool (ours: \`db basebackup\`; pgBackRest: a full backup, lz4), with archiving to that tool: 1000 rows inserted, time T noted, then 1000 more rows, 1000 datasets' columns deleted by mistake and 5 s of pgbench; the WAL is switched and archived. Ours: \`db restore latest --to-time T --target-dir DIR --start --port N\`; pgBackRest: \`restore --type=time --target=T --target-action=promote\`, then \`pg_ctl start\`. Timed from the command's start until \`pg_is_in_recovery()\` is false; checked: the 1000 rows before T are there, none after, the deleted columns are back, pgbench_accounts is whole."
  echo
  echo "$TABLE_PITR"
  echo
  echo "### Targets"
  echo
  echo "$TABLE_TARGETS"
} >"$WORK/section.md"
doc_section "$ROOT/docs/benchmarks.md" "## PostgreSQL (issue 5)" "$WORK/section.md"
log "section rewritten in docs/benchmarks.md"
