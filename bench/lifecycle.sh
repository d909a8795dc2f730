#!/usr/bin/env bash
# Benchmark of the repository lifecycle (issue 3): after 30 simulated days of change, time and peak memory
# of check, check --read-data, and forget + prune, for varlor-backup, restic and borg on the same data.
#
#   bench/lifecycle.sh [--size 512MiB] [--days 30] [--no-doc]
#
# Works in .bench/lifecycle (git-ignored, removed at the end); rewrites only the section
# "## Repository lifecycle (issue 3)" of docs/benchmarks.md. Installs restic, borgbackup and time if missing.
set -euo pipefail
BENCH_LOG_TAG=lifecycle
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
ROOT=$BENCH_ROOT
SIZE=512MiB DAYS=30 WRITE_DOC=1
COMMAND_LINE="bench/lifecycle.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --days) DAYS=$2; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    *) echo "lifecycle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK="${BENCH_WORK:-$ROOT/.bench}/lifecycle"
need=()
command -v restic >/dev/null || need+=(restic)
command -v borg >/dev/null || need+=(borgbackup)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null || need+=(python3)
apt_install "${need[@]}"
claim_work_dir "$WORK"
mkdir -p "$WORK/home"
trap 'rm -rf -- "$WORK"' EXIT
export HOME="$WORK/home"

log "building"
build_project bench/Varlor.Bench.TreeGen/Varlor.Bench.TreeGen.csproj "$WORK/treegen" "$WORK/treegen-build.log" "tree generator"
(cd "$ROOT" && ./varlor-backup --help >/dev/null 2>&1)
cp -a "$ROOT/artifacts/install/varlor-backup" "$WORK/varlor-bin"
VB="$WORK/varlor-bin/varlor-backup"
TG="$WORK/treegen/varlor-treegen"

PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export VARLOR_PASSWORD="$PASSWORD" RESTIC_PASSWORD="$PASSWORD" BORG_PASSPHRASE="$PASSWORD"
export VARLOR_REPOSITORY="$WORK/repo-varlor" RESTIC_REPOSITORY="$WORK/repo-restic" RESTIC_CACHE_DIR="$WORK/home/restic-cache"
export BORG_BASE_DIR="$WORK/home/borg" BORG_REPO="$WORK/repo-borg"
DATA="$WORK/data"

log "generating $SIZE"
"$TG" gen --out "$DATA" --size "$SIZE" --seed 1 >/dev/null
"$VB" init -q; restic init -q >/dev/null; borg init --encryption=repokey >/dev/null 2>&1
start=$(date -u -d "2026-10-01 02:00:00" +%s)
for day in $(seq 1 "$DAYS"); do
  [ "$day" -gt 1 ] && "$TG" mutate --out "$DATA" --seed "$day" >/dev/null
  ts=$(date -u -d "@$((start + (day - 1) * 86400))" '+%Y-%m-%d %H:%M:%S')
  "$VB" backup "$DATA" --time "${ts/ /T}Z" --quiet
  restic backup --quiet --time "$ts" "$DATA" >/dev/null
  borg create --timestamp "${ts/ /T}" "::day-$day" "$DATA" >/dev/null 2>&1
  [ $((day % 10)) -eq 0 ] && log "day $day"
done

declare -A T=() M=()
measure() {  # measure KEY CMD...: wall seconds and peak MiB
  local key=$1; shift
  timed "$WORK/out" "$@"
  if [ "$TIMED_RC" -ne 0 ]; then log "$key failed: $(tail -n 3 "$WORK/out.log")"; T[$key]="failed"; M[$key]=""; return; fi
  T[$key]=$(seconds "$TIMED_NS"); M[$key]=$(awk -v k="$TIMED_RSS_KIB" 'BEGIN {printf "%.1f", k / 1024}')
}
size_mib() { du -sb "$1" | awk '{printf "%.1f", $1 / 1048576}'; }

for tool in varlor restic borg; do
  warm "$WORK/repo-$tool"
  case $tool in
    varlor) measure varlor.check "$VB" check
            measure varlor.read "$VB" check --read-data ;;
    restic) measure restic.check restic check
            measure restic.read restic check --read-data ;;
    borg)   measure borg.check borg check --archives-only
            measure borg.read borg check --verify-data ;;
  esac
  before=$(size_mib "$WORK/repo-$tool")
  case $tool in
    varlor) measure varlor.prune "$VB" forget --keep-daily 7 --keep-weekly 4 --prune --quiet ;;
    restic) measure restic.prune restic forget --keep-daily 7 --keep-weekly 4 --prune ;;
    borg)   measure borg.prune sh -c 'borg prune --keep-daily 7 --keep-weekly 4 && borg compact' ;;
  esac
  after=$(size_mib "$WORK/repo-$tool")
  T[$tool.size]="$before → $after"
done

machine="$(nproc) cores, $(cpu_model), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, load $(loadavg) at the end"
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "${T[varlor.$2]}" "${T[restic.$2]}" "${T[borg.$2]}" "$(ratio "${T[varlor.$2]}" "${T[restic.$2]}")" "$(ratio "${T[varlor.$2]}" "${T[borg.$2]}")"; }
mrow() { printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "${M[varlor.$2]}" "${M[restic.$2]}" "${M[borg.$2]}" "$(ratio "${M[varlor.$2]}" "${M[restic.$2]}")" "$(ratio "${M[varlor.$2]}" "${M[borg.$2]}")"; }
section=$(cat <<DOC
## Repository lifecycle (issue 3)

Written by \`bench/lifecycle.sh\` on $(date -u +%Y-%m-%d) (rerunning it replaces this section only).

Command: \`$COMMAND_LINE\`. Machine: $machine. Versions: $(program_version "$VB"), $(restic_version), $(borg --version).

Data: a generated Varlor-like tree of $SIZE (\`varlor-treegen gen --seed 1\`), then $DAYS days of change (\`mutate --seed DAY\`: 1% new datasets, 2% re-uploaded with rows inserted mid-file, a few deletions, a new log file), one backup per day by each tool into its own local repository (restic and varlor with defaults; borg 1.2 \`--encryption=repokey\`, lz4). Then, on each repository with a warm page cache: the structural check, the full data check, and forget + prune with \`--keep-daily 7 --keep-weekly 4\` (borg: \`prune\` then \`compact\`). Wall-clock seconds and peak resident memory from \`/usr/bin/time\`.

| seconds | varlor-backup | restic | borg | varlor / restic | varlor / borg |
|---|---:|---:|---:|---:|---:|
$(row "check (structure; borg: --archives-only)" check)
$(row "check --read-data (borg: --verify-data)" read)
$(row "forget + prune" prune)

| peak memory (MiB) | varlor-backup | restic | borg | varlor / restic | varlor / borg |
|---|---:|---:|---:|---:|---:|
$(mrow "check" check)
$(mrow "check --read-data" read)
$(mrow "forget + prune" prune)

Repository size before → after forget + prune (MiB): varlor-backup ${T[varlor.size]}, restic ${T[restic.size]}, borg ${T[borg.size]}.
DOC
)
echo "$section"
if [ "$WRITE_DOC" = 1 ]; then
  printf '%s\n' "$section" >"$WORK/section.md"
  doc_section "$ROOT/docs/benchmarks.md" "## Repository lifecycle (issue 3)" "$WORK/section.md"
  log "section written to docs/benchmarks.md"
fi
