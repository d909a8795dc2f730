#!/usr/bin/env bash
# bench/s3.sh: offsite on S3 (issue 6). varlor-backup and restic side by side against one s3rver on loopback,
# over TLS (restic needs it there; varlor-backup trusts the same self-signed certificate through SSL_CERT_FILE):
# initial backup, no-change backup, full restore (checked with diff -r) and copy of a local repository into the
# store, with wall-clock times and the HTTP requests each step sent (counted from s3rver's request log).
# Rewrites the section "Offsite on S3 (issue 6)" of docs/benchmarks.md (--no-doc to only print).
#
#   bench/s3.sh [--size 256MiB] [--seed 1] [--keep] [--no-doc]
#
# Needs node with s3rver (.ci/install-deps), restic and openssl. Work files go to .bench/s3 (git-ignored).
set -euo pipefail
BENCH_LOG_TAG="s3 bench"
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
ROOT=$BENCH_ROOT
SIZE=256MiB; SEED=1; KEEP=0; WRITE_DOC=1
COMMAND_LINE="bench/s3.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-doc) WRITE_DOC=0; shift ;;
    *) echo "s3.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK="${BENCH_WORK:-$ROOT/.bench}/s3"
S3RVER_JS=${VARLOR_S3RVER_JS:-/opt/varlor-test-tools/node_modules/s3rver/bin/s3rver.js}
[ -f "$S3RVER_JS" ] || S3RVER_JS="$ROOT/.tools/node_modules/s3rver/bin/s3rver.js"
[ -f "$S3RVER_JS" ] || die "s3rver is missing: run .ci/install-deps"
command -v restic >/dev/null || die "restic is missing (apt-get install restic)"

S3PID=
cleanup() {
  local rc=$?
  if [ -n "$S3PID" ]; then kill "$S3PID" 2>/dev/null || true; wait "$S3PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf -- "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
rm -rf -- "$WORK"; mkdir -p "$WORK/logs"

log "building varlor-backup and the tree generator"
build_project src/Varlor.Backup.Cli/Varlor.Backup.Cli.csproj "$WORK/varlor" "$WORK/logs/build.log" varlor-backup
build_project bench/Varlor.Bench.TreeGen/Varlor.Bench.TreeGen.csproj "$WORK/treegen" "$WORK/logs/treegen.log" "tree generator"
log "generating $SIZE (seed $SEED)"
"$WORK/treegen/varlor-treegen" gen --out "$WORK/tree" --size "$SIZE" --seed "$SEED" >"$WORK/logs/gen.log" 2>&1
BYTES=$(tree_bytes "$WORK/tree")

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER_JS" -d "$WORK/s3data" -a 127.0.0.1 -p 0 \
  --key "$WORK/key.pem" --cert "$WORK/cert.pem" --configure-bucket bench >"$WORK/logs/s3rver.log" 2>&1 &
S3PID=$!
for _ in $(seq 50); do grep -qs "listening on" "$WORK/logs/s3rver.log" && break; sleep 0.2; done
PORT=$(sed -n 's/.*S3rver listening on [^:]*:\([0-9]*\).*/\1/p' "$WORK/logs/s3rver.log")
[ -n "$PORT" ] || die "s3rver did not start"
URL="https://127.0.0.1:$PORT/bench"
log "s3rver (TLS) on port $PORT"

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export SSL_CERT_FILE="$WORK/cert.pem" VARLOR_S3_CHUNK_ENCODING=false VARLOR_CACHE_DIR="$WORK/cache" VARLOR_SPOOL="$WORK/spool"
export VARLOR_PASSWORD=bench RESTIC_PASSWORD=bench VARLOR_FROM_PASSWORD=bench
printf 'bench\n' >"$WORK/pw"
varlor() { dotnet "$WORK/varlor/varlor-backup.dll" "$@"; }
rst() { restic --cacert "$WORK/cert.pem" "$@"; }

requests() { sleep 0.5; grep -cE ' [0-9]{3} [0-9]+ms' "$WORK/logs/s3rver.log" || true; }
declare -A R
# step TOOL NAME COMMAND...: time a step and count its requests
step() {
  local tool=$1 name=$2; shift 2
  local before t0 t1
  before=$(requests); t0=$(date +%s.%N)
  "$@" >"$WORK/logs/$tool-$name.log" 2>&1 || die "$tool $name failed (see $WORK/logs/$tool-$name.log)"
  t1=$(date +%s.%N)
  R[$tool.$name.s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  R[$tool.$name.req]=$(( $(requests) - before ))
  log "$tool $name: ${R[$tool.$name.s]} s, ${R[$tool.$name.req]} requests"
}

for tool in varlor restic; do
  rm -rf "$WORK/cache"
  if [ $tool = varlor ]; then
    step $tool init varlor -r "s3:$URL/varlor" init
    step $tool initial varlor -r "s3:$URL/varlor" backup "$WORK/tree"
    step $tool nochange varlor -r "s3:$URL/varlor" backup "$WORK/tree"
    step $tool restore varlor -r "s3:$URL/varlor" restore latest --target "$WORK/restore-$tool"
    varlor -r "$WORK/local-$tool" init >/dev/null && varlor -r "$WORK/local-$tool" backup "$WORK/tree" >/dev/null
    step $tool copyinit varlor -r "s3:$URL/varlor-copy" init
    step $tool copy varlor -r "s3:$URL/varlor-copy" copy --from-repo "$WORK/local-$tool"
  else
    step $tool init rst -r "s3:$URL/restic" init
    step $tool initial rst -r "s3:$URL/restic" backup "$WORK/tree"
    step $tool nochange rst -r "s3:$URL/restic" backup "$WORK/tree"
    step $tool restore rst -r "s3:$URL/restic" restore latest --target "$WORK/restore-$tool"
    rst -r "$WORK/local-$tool" init >/dev/null && rst -r "$WORK/local-$tool" backup "$WORK/tree" >/dev/null
    step $tool copyinit rst -r "s3:$URL/restic-copy" init
    step $tool copy rst -r "s3:$URL/restic-copy" copy --from-repo "$WORK/local-$tool" --from-password-file "$WORK/pw"
  fi
  if diff -r "$WORK/tree" "$WORK/restore-$tool$WORK/tree" >/dev/null; then R[$tool.same]=yes; else R[$tool.same]=NO; fi
  rm -rf "$WORK/restore-$tool"
done

GIB=$(awk -v b="$BYTES" 'BEGIN {printf "%.4f", b / 1073741824}')
mibs() { rate "$BYTES" "$1"; }
pergib() { awk -v n="$1" -v g="$GIB" 'BEGIN {printf "%.0f", n / g}'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
TABLE=$(
  echo "| | varlor-backup | restic |"
  echo "|---|---:|---:|"
  row "Initial backup (s)" "${R[varlor.initial.s]}" "${R[restic.initial.s]}"
  row "Initial backup (MiB/s)" "$(mibs "${R[varlor.initial.s]}")" "$(mibs "${R[restic.initial.s]}")"
  row "Initial backup: requests (per GiB)" "${R[varlor.initial.req]} ($(pergib "${R[varlor.initial.req]}"))" "${R[restic.initial.req]} ($(pergib "${R[restic.initial.req]}"))"
  row "No-change backup (s)" "${R[varlor.nochange.s]}" "${R[restic.nochange.s]}"
  row "No-change backup: requests" "${R[varlor.nochange.req]}" "${R[restic.nochange.req]}"
  row "Full restore (s)" "${R[varlor.restore.s]}" "${R[restic.restore.s]}"
  row "Full restore (MiB/s)" "$(mibs "${R[varlor.restore.s]}")" "$(mibs "${R[restic.restore.s]}")"
  row "Full restore: requests (per GiB)" "${R[varlor.restore.req]} ($(pergib "${R[varlor.restore.req]}"))" "${R[restic.restore.req]} ($(pergib "${R[restic.restore.req]}"))"
  row "Restore identical to the source" "${R[varlor.same]}" "${R[restic.same]}"
  row "Copy of a local repository into the store (s)" "${R[varlor.copy.s]}" "${R[restic.copy.s]}"
  row "Copy: requests (per GiB)" "${R[varlor.copy.req]} ($(pergib "${R[varlor.copy.req]}"))" "${R[restic.copy.req]} ($(pergib "${R[restic.copy.req]}"))"
  row "Init: requests" "${R[varlor.init.req]}" "${R[restic.init.req]}"
)
echo "$TABLE"

[ "$WRITE_DOC" = 1 ] || exit 0
{
  echo "## Offsite on S3 (issue 6)"
  echo
  echo "Written by \`bench/s3.sh\` on $(date +%F) (rerunning it replaces this section only)."
  echo
  echo "Command: \`${COMMAND_LINE% }\`. Data: $(head -n 1 "$WORK/logs/gen.log" | sed 's/^treegen: //; s/; [^;]* written in .*//') ($(mib "$BYTES") MiB)."
  echo
  echo "Machine: $(nproc) cores, $(cpu_model), load average $(loadavg) at the end (shared with other work: figures move between runs). Tools: varlor-backup $(git_commit), $(restic_version), s3rver 3.7.1 on Node $(node --version) over TLS on loopback (self-signed certificate: restic \`--cacert\`, varlor-backup \`SSL_CERT_FILE\`; varlor-backup with \`VARLOR_S3_CHUNK_ENCODING=false\`, which s3rver needs)."
  echo
  echo "Method: a fresh prefix per tool in one bucket; requests are the lines of s3rver's request log during each step (every HTTP request, whatever its kind). The copy step first backs the tree up into a local repository (not timed), then copies it into a fresh prefix of the store: varlor-backup \`copy --from-repo\` (different keys: every blob re-keyed), restic \`copy --from-repo\` (restic 0.14 re-encrypts too). s3rver writes every object as files through Node.js: it, not the clients, sets most of these times; the request counts do not depend on it."
  echo
  echo "$TABLE"
} >"$WORK/section.md"
doc_section "$ROOT/docs/benchmarks.md" "## Offsite on S3 (issue 6)" "$WORK/section.md"
log "section rewritten in docs/benchmarks.md"
