#!/usr/bin/env bash
# Upload throughput of varlor-server: MB/s of CSV ingested (streamed to disk, SHA-256, parsed with Sep, columns
# inferred, rows committed), end to end over HTTP on loopback. Starts its own PostgreSQL 15 cluster and server
# in a temporary folder, uploads a generated CSV several times, and appends the result to docs/benchmarks-server.md.
#   bench/server-upload.sh [SIZE_MB (default 200)] [RUNS (default 3)]
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
repo=$BENCH_ROOT
size_mb="${1:-200}"
runs="${2:-3}"
work="$(mktemp -d /tmp/varlor-bench-server.XXXXXX)"
pg_bin="${VARLOR_PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$pg_bin/initdb" ] || pg_bin="$(dirname "$(readlink -f "$(command -v initdb)")")"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  user=varlortest; id -u "$user" >/dev/null 2>&1 || user=postgres
  as_pg=(runuser -u "$user" --)
  chown "$user" "$work"
fi
port=$(free_port)
http_port=$(free_port)
server_pid=""
history_tmp=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  (cd "$work" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1) || true
  rm -rf "$work"
  [ -z "$history_tmp" ] || rm -f -- "$history_tmp"
}
trap cleanup EXIT

echo "cluster: initdb + pg_ctl on 127.0.0.1:$port (fsync on, as in production)" >&2
(cd "$work" && "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null)
(cd "$work" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work" -w start >/dev/null)
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres varlor

export VARLOR_DB="Host=127.0.0.1;Port=$port;Database=varlor;Username=postgres"
export VARLOR_STORAGE="$work/storage" VARLOR_LOGS="$work/logs" VARLOR_CONSOLE_LOG=false
export VARLOR_MAX_UPLOAD_BYTES=$(( (size_mb + 64) * 1024 * 1024 ))
"$repo/varlor-server" migrate >/dev/null
key=$("$repo/varlor-server" tenant add bench | sed -n 's/.*: \(vk_.*\)$/\1/p')

echo "data: generating ${size_mb} MB of CSV (integer, decimal, boolean, date, datetime, text columns)" >&2
python3 - "$work/data.csv" "$size_mb" <<'PY'
import sys, random
path, mb = sys.argv[1], int(sys.argv[2])
random.seed(42)
words = ["north", "south", "east", "west", "alpha", "beta", "gamma", "delta", "quoted, text", "x"]
target = mb * 1024 * 1024
with open(path, "w", newline="") as f:
    f.write("id,customer,amount,paid,order_date,created_at,region,note\n")
    i, n, buf = 0, 0, []
    while n < target:
        i += 1
        note = random.choice(words)
        line = f'{i},{random.randint(1, 99999)},{random.randint(0, 99999)}.{random.randint(0, 99):02d},{"true" if i % 3 else "false"},2024-{1 + i % 12:02d}-{1 + i % 28:02d},2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z,{random.choice(words[:8])},"{note}"\n'
        buf.append(line); n += len(line)
        if len(buf) >= 10000:
            f.write("".join(buf)); buf = []
    f.write("".join(buf))
PY
bytes=$(stat -c %s "$work/data.csv")

"$repo/varlor-server" run --urls "http://127.0.0.1:$http_port" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http_port/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$http_port/health" >/dev/null || { cat "$work/server.out" >&2; echo "server did not start" >&2; exit 1; }

results=()
for run in $(seq 1 "$runs"); do
  t=$(curl -sS -o "$work/resp.json" -w '%{http_code} %{time_total}' -H "X-Api-Key: $key" \
        -F "file=@$work/data.csv;filename=data.csv" "http://127.0.0.1:$http_port/api/v1/datasets")
  code=${t% *}; secs=${t#* }
  [ "$code" = 201 ] || { cat "$work/resp.json" >&2; exit 1; }
  mbps=$(python3 -c "print(f'{$bytes/1048576/$secs:.1f}')")
  echo "run $run: $(python3 -c "print(f'{$bytes/1048576:.0f}')") MB in ${secs}s = ${mbps} MB/s" >&2
  results+=("$mbps")
done
rows=$(python3 -c "import json; print(json.load(open('$work/resp.json'))['rowCount'])")
types=$(python3 -c "import json; print(', '.join(c['name']+':'+c['type'] for c in json.load(open('$work/resp.json'))['columns']))")
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

out="$repo/docs/benchmarks-server.md"
history_tmp=$(temp_beside "$out")
{
  # shellcheck disable=SC2016  # the backquotes are Markdown
  if [ -f "$out" ]; then cat "$out"; else printf '# varlor-server upload throughput\n\nMeasured by `bench/server-upload.sh`: one multipart upload of a generated CSV with curl over loopback, timed by curl (request sent to response received). It covers streaming to a temporary file with SHA-256, fsync, parsing with Sep, inferring every column, and committing the rows.\n\n| date | machine | file | rows | runs (MB/s) | median MB/s |\n| --- | --- | --- | --- | --- | --- |\n'; fi
  printf '| %s | %s cores, %s | %s MB CSV, 8 columns | %s | %s | **%s** |\n' "$(date -u +%Y-%m-%d)" "$(nproc)" "$(uname -m)" \
    "$(python3 -c "print(f'{$bytes/1048576:.0f}')")" "$rows" "$(IFS=' / '; echo "${results[*]}")" "$median"
} >"$history_tmp"
replace_with "$history_tmp" "$out"
history_tmp=""
echo "median: $median MB/s ($rows rows; columns: $types)"
echo "appended to docs/benchmarks-server.md"
# The history stays in benchmarks-server.md; docs/benchmarks.md gets its section rewritten from it: the history
# without its title line.
{
  # shellcheck disable=SC2016  # the backquotes are Markdown
  printf '## varlor-server upload throughput (issue 4)\n\nWritten by `bench/server-upload.sh` (rerunning it replaces this section only; every run is kept in [benchmarks-server.md](benchmarks-server.md)).\n\n'
  python3 -c 'import sys; h = open(sys.argv[1], encoding="utf-8").read().split("\n", 1)[1].strip(); sys.stdout.buffer.write((h + "\n").encode("utf-8"))' "$out"
} >"$work/section.md"
doc_section "$repo/docs/benchmarks.md" "## varlor-server upload throughput (issue 4)" "$work/section.md"
echo "section rewritten in docs/benchmarks.md"
