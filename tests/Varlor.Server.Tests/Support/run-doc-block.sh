#!/usr/bin/env bash
# Runs a varlor-server command block from the docs exactly as written, in the environment the docs assume:
# PostgreSQL on 127.0.0.1:5432 with a login role varlor_prod owning an empty database varlor (trust auth), port
# 5080 free, curl, awk and openssl, and ./varlor-server in the working directory. So that the fixed ports collide
# with nothing, it all runs in a private network namespace (unshare -n, hence root) with its own throw-away
# cluster, in a scratch working directory where ./varlor-server is the repository's launcher.
#   run-doc-block.sh REPO BLOCK_FILE     prints the block's output; exits with the block's status
# The block runs under `set -eo pipefail`; whatever it left running in the background is stopped afterwards
# (SIGTERM, then SIGKILL), then the cluster, and the scratch folder is removed.
set -euo pipefail
repo="$(cd "$1" && pwd)"
block="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
[ "$(id -u)" -eq 0 ] || { echo "run-doc-block.sh: needs root (a private network namespace with unshare -n)" >&2; exit 2; }

if [ "${VARLOR_DOC_NETNS:-}" != 1 ]; then
  # The launcher builds the program when it is stale: do that here, with the network, not in the namespace.
  MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 "$repo/varlor-server" help >/dev/null
  exec env VARLOR_DOC_NETNS=1 unshare --net -- "$0" "$@"
fi

ip link set lo up
bin="${VARLOR_PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$bin/initdb" ] || bin="$(dirname "$(command -v initdb)")"
user="${VARLOR_PG_OS_USER:-}"
for candidate in varlortest postgres nobody; do
  [ -n "$user" ] || ! id -u "$candidate" >/dev/null 2>&1 || user="$candidate"
done
scratch="$(mktemp -d /tmp/varlor-doc-block-XXXXXX)"
pg="$scratch/pg"
work="$scratch/work"
mkdir -p "$pg" "$work"
chmod 711 "$scratch" # the PostgreSQL user must reach its folder
chown "$user:" "$pg"
as_pg() { runuser -u "$user" -- "$@"; }

cleanup() {
  as_pg "$bin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

as_pg "$bin/initdb" -D "$pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C --no-instructions >/dev/null
cat >>"$pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = 5432
unix_socket_directories = '$pg'
fsync = off
EOF
as_pg "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 start >/dev/null
"$bin/psql" -X -q -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE varlor_prod LOGIN" -c "CREATE DATABASE varlor OWNER varlor_prod"

cd "$work"
ln -s "$repo/varlor-server" varlor-server
status=0
# Its own process group (setsid; not a group leader when started with &, so it keeps its pid), so that what the
# block leaves running in the background (e.g. `./varlor-server run ... &`) can be stopped with it afterwards.
setsid bash -c 'set -eo pipefail; source "$1"' doc-block "$block" &
group=$!
wait "$group" || status=$?
kill -TERM -- "-$group" 2>/dev/null && sleep 2 && kill -KILL -- "-$group" 2>/dev/null || true
exit "$status"
