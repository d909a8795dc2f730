#!/usr/bin/env bash
# Benchmark of the repository engine (issue 2): varlor-backup against restic and borg on the same
# generated Varlor-like tree, in one run. See bench/README.md.
#
#   bench/run.sh [--size 1GiB] [--seed 1] [--tools varlor,restic,borg,borg-zstd] [--keep] [--no-doc]
#                [--no-profile]
#
# Everything it writes goes under its work folder ($BENCH_WORK, default .bench/run in the
# checkout, git-ignored; removed on exit unless --keep), except docs/benchmarks.md, where it
# regenerates only the section "## Repository engine (issue 2)". Nothing is sent anywhere: the
# repositories are local folders. It installs restic, borgbackup, zstd and time with apt if missing.
# Unless --no-profile, one more initial backup of varlor-backup runs under `perf record` (if perf is
# installed) to say where its time goes.
set -euo pipefail
BENCH_LOG_TAG=bench
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
ROOT=$BENCH_ROOT
SIZE=1GiB
SEED=1
MUTATE_SEED=2
TOOLS=varlor,restic,borg,borg-zstd
KEEP=0
WRITE_DOC=1
PROFILE=1
DOC="$ROOT/docs/benchmarks.md"
SECTION="## Repository engine (issue 2)"
NOCHANGE_RUNS=3
COMMAND_LINE="bench/run.sh $*"

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a value}; shift 2 ;;
    --tools) TOOLS=${2:?--tools needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-doc) WRITE_DOC=0; shift ;;
    --no-profile) PROFILE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$COMMAND_LINE" = "bench/run.sh " ] && COMMAND_LINE="bench/run.sh"

WORK="${BENCH_WORK:-$ROOT/.bench}/run"
DATA="$WORK/data"
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cleanup() {
  local rc=$?
  if [ "$KEEP" = 1 ]; then
    log "kept the work folder $WORK"
  elif [ -n "${WORK:-}" ] && [ -f "$WORK/.varlor-bench" ]; then
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has_tool() { case ",$TOOLS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- dependencies
need_pkgs=()
command -v restic >/dev/null || ! has_tool restic || need_pkgs+=(restic)
if ! command -v borg >/dev/null && { has_tool borg || has_tool borg-zstd; }; then need_pkgs+=(borgbackup); fi
command -v zstd >/dev/null || need_pkgs+=(zstd)
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v python3 >/dev/null || need_pkgs+=(python3)   # for doc_section
apt_install "${need_pkgs[@]}"

claim_work_dir "$WORK"
mkdir -p "$WORK/logs" "$WORK/home"

# ---------------------------------------------------------------- tree generator
log "building the tree generator"
build_project bench/Varlor.Bench.TreeGen/Varlor.Bench.TreeGen.csproj "$WORK/treegen" "$WORK/logs/treegen-build.log" "tree generator"
TREEGEN="$WORK/treegen/varlor-treegen"

# ---------------------------------------------------------------- varlor-backup
# VARLOR_BIN=/path/to/varlor-backup in the environment times that program instead of the launcher's.
VARLOR_BIN=${VARLOR_BIN:-}
VARLOR_NOTE=""
if has_tool varlor && [ -n "$VARLOR_BIN" ]; then
  [ -x "$VARLOR_BIN" ] || { VARLOR_NOTE="VARLOR_BIN=$VARLOR_BIN is not executable"; VARLOR_BIN=""; }
elif has_tool varlor; then
  if [ ! -x "$ROOT/varlor-backup" ]; then
    VARLOR_NOTE="the launcher ./varlor-backup does not exist yet"
  elif ! (cd "$ROOT" && ./varlor-backup --help >"$WORK/logs/varlor-warmup.log" 2>&1); then
    VARLOR_NOTE="./varlor-backup --help failed: $(tail -n 3 "$WORK/logs/varlor-warmup.log" | tr '\n' ' ')"
  else
    # The launcher builds if needed, then runs the built program: time that program directly.
    VARLOR_BIN=$(grep -o 'artifacts/install/[A-Za-z0-9._/-]*varlor-backup' "$ROOT/varlor-backup" | head -n 1 || true)
    VARLOR_BIN="$ROOT/${VARLOR_BIN:-artifacts/install/varlor-backup/varlor-backup}"
    [ ! -d "$VARLOR_BIN" ] || VARLOR_BIN="$VARLOR_BIN/varlor-backup"   # the launcher names the output folder
    if [ -x "$VARLOR_BIN" ]; then
      # Time a copy, so that a rebuild by someone else during the run cannot swap the program midway
      # (and retry once if the copy caught a build in progress).
      for _ in 1 2; do
        rm -rf -- "$WORK/varlor-bin"
        cp -a "$(dirname "$VARLOR_BIN")" "$WORK/varlor-bin"
        "$WORK/varlor-bin/$(basename "$VARLOR_BIN")" --help >/dev/null 2>&1 && break
        sleep 20; (cd "$ROOT" && ./varlor-backup --help >/dev/null 2>&1) || true
      done
      VARLOR_BIN="$WORK/varlor-bin/$(basename "$VARLOR_BIN")"
    else
      VARLOR_NOTE="built program $VARLOR_BIN not found"; VARLOR_BIN=""
    fi
  fi
  [ -z "$VARLOR_NOTE" ] || log "varlor-backup left out: $VARLOR_NOTE"
fi

ACTIVE=()
for t in varlor restic borg borg-zstd; do
  has_tool "$t" || continue
  [ "$t" = varlor ] && [ -z "$VARLOR_BIN" ] && continue
  ACTIVE+=("$t")
done
[ ${#ACTIVE[@]} -gt 0 ] || die "no tool to measure"

# Secrets only through the environment, never on a command line. Throwaway, per run.
PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export RESTIC_PASSWORD="$PASSWORD" BORG_PASSPHRASE="$PASSWORD" VARLOR_PASSWORD="$PASSWORD"
export RESTIC_REPOSITORY="$WORK/repo-restic" RESTIC_CACHE_DIR="$WORK/home/restic-cache"
export VARLOR_REPOSITORY="$WORK/repo-varlor"
export BORG_BASE_DIR="$WORK/home/borg" BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no

repo_of() {
  case "$1" in
    varlor) echo "$WORK/repo-varlor" ;; restic) echo "$WORK/repo-restic" ;;
    borg) echo "$WORK/repo-borg" ;; borg-zstd) echo "$WORK/repo-borg-zstd" ;;
  esac
}

# $WORK/tool.sh TOOL VERB [ARG] runs one tool command from $WORK; it execs the tool, so that
# /usr/bin/time measures the tool itself. Secrets and repositories come from the exported environment.
export VARLOR_BIN WORK
cat >"$WORK/tool.sh" <<'TOOL'
#!/usr/bin/env bash
set -euo pipefail
tool=$1 verb=$2 arg=${3:-}
cd "$WORK"
run() { exec env HOME="$WORK/home" XDG_CACHE_HOME="$WORK/home/.cache" XDG_CONFIG_HOME="$WORK/home/.config" "$@"; }
case "$tool:$verb" in
  varlor:init) run "$VARLOR_BIN" init ;;
  varlor:backup) run "$VARLOR_BIN" backup data --quiet ;;
  varlor:restore) run "$VARLOR_BIN" restore latest --target "$arg" ;;
  restic:init) run restic init ;;
  restic:backup) run restic backup --quiet data ;;
  restic:restore) run restic restore latest --target "$arg" ;;
  borg:init) run borg init --encryption=repokey "$WORK/repo-borg" ;;
  borg:backup) run borg create "$WORK/repo-borg::$arg" data ;;
  borg:restore) cd "$arg" && run borg extract "$WORK/repo-borg::mutated" ;;
  borg-zstd:init) run borg init --encryption=repokey "$WORK/repo-borg-zstd" ;;
  borg-zstd:backup) run borg create --compression zstd,3 "$WORK/repo-borg-zstd::$arg" data ;;
  borg-zstd:restore) cd "$arg" && run borg extract "$WORK/repo-borg-zstd::mutated" ;;
  *) echo "tool.sh: no command for $tool $verb" >&2; exit 2 ;;
esac
TOOL
chmod +x "$WORK/tool.sh"
tool_cmd() { "$WORK/tool.sh" "$@"; }

declare -A R=()    # R[tool.metric] = value
declare -A FAILED=()

dir_bytes() { du -sb "$1" | awk '{print $1}'; }

# measure TOOL STEP VERB [ARG]: runs the verb under /usr/bin/time -v; records seconds, peak RSS, CPU.
measure() {
  local tool=$1 step=$2 verb=$3 arg=${4:-} out="$WORK/logs/$1.$2"
  timed "$out" "$WORK/tool.sh" "$tool" "$verb" "$arg"
  local secs rss=$TIMED_RSS_KIB rc=$TIMED_RC
  secs=$(seconds "$TIMED_NS" 3)
  R[$tool.$step.s]=$secs
  R[$tool.$step.rss]=$rss
  R[$tool.$step.cpu]=$TIMED_CPU
  local peak=${R[$tool.peak]:-0}
  if [ "${rss:-0}" -gt "$peak" ]; then R[$tool.peak]=$rss; fi
  if [ "$rc" -ne 0 ]; then
    FAILED[$tool.$step]="exit $rc"
    log "$tool $step FAILED (exit $rc); last lines:"
    tail -n 5 "$out.log" >&2
    return 1
  fi
  log "$(printf '%-10s %-16s %8.2f s  %6d MiB peak  %7.2f s CPU' "$tool" "$step" "$secs" "$((rss / 1024))" "${R[$tool.$step.cpu]}")"
}

# ---------------------------------------------------------------- the tree
LOAD_AT_START=$(loadavg)
log "generating a $SIZE tree (seed $SEED)"
"$TREEGEN" gen --out "$DATA" --size "$SIZE" --seed "$SEED" | tee "$WORK/logs/gen.log" >&2
SRC_BYTES=$(tree_bytes "$DATA")
SRC_FILES=$(find "$DATA" -type f | wc -l)
GEN_SUMMARY=$(head -n 1 "$WORK/logs/gen.log" | sed 's/^treegen: //; s/; [^;]* written in .*//')

# Single-core reference speeds on this very tree (what the issue's limit is computed from).
log "single-core reference: sha256sum and zstd on the tree"
warm "$DATA"
ref() {  # ref CMD...: prints "seconds output-bytes" for: cat of the whole tree | CMD
  local t0 t1 bytes
  t0=$(date +%s%N)
  bytes=$(find "$DATA" -type f -print0 | sort -z | xargs -0 cat | "$@" | wc -c)
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v n="$bytes" 'BEGIN {printf "%.3f %d\n", (b - a) / 1e9, n}'
}
# openssl is what .NET's SHA256 calls on Linux (SHA-NI where the CPU has it); coreutils' sha256sum is not.
read -r REF_SHA _ < <(ref openssl dgst -sha256)
read -r REF_Z1 Z1_BYTES < <(ref zstd -1 -T1 -c)
read -r REF_Z3 Z3_BYTES < <(ref zstd -3 -T1 -c)

# ---------------------------------------------------------------- the runs
for t in "${ACTIVE[@]}"; do
  (cd "$WORK" && tool_cmd "$t" init >"$WORK/logs/$t.init.log" 2>&1) || { FAILED[$t.init]="init failed"; tail -n 5 "$WORK/logs/$t.init.log" >&2; }
done

for t in "${ACTIVE[@]}"; do
  [ -z "${FAILED[$t.init]:-}" ] || continue
  warm "$DATA"
  measure "$t" initial backup initial || continue
  R[$t.repo_initial]=$(dir_bytes "$(repo_of "$t")")
  runs=()
  for i in $(seq 1 "$NOCHANGE_RUNS"); do
    warm "$DATA"
    measure "$t" "nochange$i" backup "nochange$i" || break
    runs+=("${R[$t.nochange$i.s]}")
  done
  if [ ${#runs[@]} -eq "$NOCHANGE_RUNS" ]; then
    R[$t.nochange.s]=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((NOCHANGE_RUNS + 1) / 2))p")
  fi
done

log "applying a day of change (seed $MUTATE_SEED)"
"$TREEGEN" mutate --out "$DATA" --seed "$MUTATE_SEED" | tee "$WORK/logs/mutate.log" >&2
MUT_BYTES=$(tree_bytes "$DATA")
MUTATE_SUMMARY=$(sed 's/^treegen: //; s/; [0-9.]* s$//' "$WORK/logs/mutate.log")

for t in "${ACTIVE[@]}"; do
  [ -z "${FAILED[$t.init]:-}${FAILED[$t.initial]:-}" ] || continue
  before=$(dir_bytes "$(repo_of "$t")")
  warm "$DATA"
  measure "$t" mutated backup mutated || continue
  R[$t.repo_final]=$(dir_bytes "$(repo_of "$t")")
  R[$t.added]=$((R[$t.repo_final] - before))
done

for t in "${ACTIVE[@]}"; do
  [ -n "${R[$t.repo_final]:-}" ] || continue
  target="$WORK/restore-$t"
  rm -rf -- "$target"; mkdir -p "$target"
  warm "$(repo_of "$t")"
  sync
  if measure "$t" restore restore "$target"; then
    sync
    # Find where the tree landed (restic keeps the absolute path, borg the relative one).
    root=$(find "$target" -type d -path '*/data/storage' -prune -print | head -n 1)
    if [ -n "$root" ] && diff -r -q "$DATA" "$(dirname "$root")" >"$WORK/logs/$t.verify.log" 2>&1; then
      R[$t.verified]=yes
    else
      R[$t.verified]="NO ($(wc -l <"$WORK/logs/$t.verify.log") differences)"
      head -n 5 "$WORK/logs/$t.verify.log" >&2 || true
    fi
  fi
  rm -rf -- "$target"
done

# ---------------------------------------------------------------- profile of varlor-backup
PROFILE_NOTE=""
if [ "$PROFILE" = 1 ] && [ -n "$VARLOR_BIN" ] && [ -n "${R[varlor.initial.s]:-}" ]; then
  if ! command -v perf >/dev/null; then
    PROFILE_NOTE="perf is not installed (Debian package linux-perf): no profile."
  else
    log "profiling one more initial backup of varlor-backup with perf"
    # Restore removed nothing from the tree: this is the tree after the day of change.
    if VARLOR_REPOSITORY="$WORK/repo-varlor-profile" "$WORK/tool.sh" varlor init >"$WORK/logs/profile.init.log" 2>&1; then
      warm "$DATA"; sync
      # cpu-clock works where hardware counters are not exposed (VMs); -N keeps perf out of ~/.debug.
      # The runtime writes its perf map (names of JIT-compiled code) into the work folder, not /tmp.
      mkdir -p "$WORK/perfmap"
      if VARLOR_REPOSITORY="$WORK/repo-varlor-profile" DOTNET_PerfMapEnabled=3 DOTNET_PerfMapJitDumpPath="$WORK/perfmap" \
          perf record -N -e cpu-clock -F 499 -o "$WORK/perf.data" -- "$WORK/tool.sh" varlor backup >"$WORK/logs/profile.log" 2>&1; then
        PROFILE_SUMMARY=$("$ROOT/bench/perf-summary.sh" "$WORK/perf.data" "$WORK/perfmap" 25 || true)
        PROFILE_COMM=$(perf report -i "$WORK/perf.data" --stdio --no-children --sort comm --percent-limit 1 2>/dev/null \
          | grep -v -e '^#' -e '^$' | head -n 12 | sed 's/[[:space:]]*$//' || true)
      else
        PROFILE_NOTE="perf record failed: $(tail -n 2 "$WORK/logs/profile.log" | tr '\n' ' ')"
      fi
    fi
    rm -rf -- "$WORK/repo-varlor-profile" "$WORK/perf.data" "$WORK/perfmap"
  fi
fi

# ---------------------------------------------------------------- report
val() { local v=${R[$1]:-}; [ -n "$v" ] && echo "$v" || echo ""; }
cell() { local v; v=$(val "$1"); [ -n "$v" ] && printf '%s' "$v" || printf 'n/a'; }

for t in "${ACTIVE[@]}"; do
  if [ -n "${R[$t.initial.s]:-}" ]; then
    R[$t.initial.mibs]=$(rate "$SRC_BYTES" "${R[$t.initial.s]}")
    R[$t.initial.cores]=$(awk -v c="${R[$t.initial.cpu]}" -v s="${R[$t.initial.s]}" 'BEGIN {printf "%.2f", c / s}')
    R[$t.initial.rss.mib]=$(mib "$((R[$t.initial.rss] * 1024))")
  fi
  if [ -n "${R[$t.restore.s]:-}" ]; then
    R[$t.restore.mibs]=$(rate "$MUT_BYTES" "${R[$t.restore.s]}")
    R[$t.restore.cores]=$(awk -v c="${R[$t.restore.cpu]}" -v s="${R[$t.restore.s]}" 'BEGIN {printf "%.2f", c / s}')
  fi
  for k in repo_initial repo_final added; do
    if [ -n "${R[$t.$k]:-}" ]; then R[$t.$k.mib]=$(mib "${R[$t.$k]}"); fi
  done
  if [ -n "${R[$t.peak]:-}" ]; then R[$t.peak.mib]=$(mib "$((R[$t.peak] * 1024))"); fi
done

label() {
  case "$1" in
    varlor) echo "varlor-backup" ;; restic) echo "restic" ;; borg) echo "borg (lz4)" ;; borg-zstd) echo "borg (zstd,3)" ;;
  esac
}
version_of() {
  case "$1" in
    varlor) program_version "$VARLOR_BIN" || true
            echo "(commit $(git_commit 2>/dev/null || echo none)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ', with uncommitted changes in src/'))" ;;
    restic) restic_version ;;
    borg|borg-zstd) borg --version ;;
  esac
}

SECTION_FILE="$WORK/section.md"
LOAD_AT_END=$(loadavg)
LOADED=$(awk -v a="${LOAD_AT_START%% *}" -v b="${LOAD_AT_END%% *}" -v n="$(nproc)" 'BEGIN {print (a > n || b > n) ? 1 : 0}')
{
  echo "$SECTION"
  echo
  echo "Written by \`bench/run.sh\` on $(date -u +%Y-%m-%d) (rerunning it replaces this section only)."
  echo
  echo "Command: \`$COMMAND_LINE\` (tree seed $SEED, change seed $MUTATE_SEED)."
  echo
  echo "Machine: $(nproc) cores, $(cpu_model) ($(grep -m1 -o -w sha_ni /proc/cpuinfo >/dev/null && echo 'SHA-NI, ')$(grep -m1 -o -w aes /proc/cpuinfo >/dev/null && echo 'AES-NI, ')$(grep -m1 -o -w avx2 /proc/cpuinfo >/dev/null && echo 'AVX2')), $(ram_gib) RAM, Linux $(uname -r), $(os_name), .NET SDK $(dotnet_sdk_version). The machine is shared with other work (load average $LOAD_AT_START when the run started, $LOAD_AT_END when it ended), so figures move between runs."
  if [ "$LOADED" = 1 ]; then
    echo
    echo "**The load average was above the number of cores during this run:** the tools got only part of the machine, each at a different moment, so wall-clock figures and their ratios are unreliable; CPU time (user + sys) is the steadier comparison. Rerun on a quiet machine for the targets."
  fi
  echo
  echo "Tools:"
  for t in "${ACTIVE[@]}"; do
    [ "$t" = borg-zstd ] && continue
    echo "- $(label "$t"): $(version_of "$t" | tr '\n' ' ' | sed 's/ *$//')"
  done
  [ -z "$VARLOR_NOTE" ] || echo "- varlor-backup: not measured ($VARLOR_NOTE)"
  echo
  echo "Data: $GEN_SUMMARY; $SRC_FILES files, $(mib "$SRC_BYTES") MiB. A day of change: $MUTATE_SUMMARY; $(mib "$MUT_BYTES") MiB after it."
  echo
  echo "Method: each tool gets a fresh local repository in the work folder (restic: default settings; borg 1.2: \`--encryption=repokey\`, lz4 by default and \`--compression zstd,3\`; varlor-backup: defaults). Before every measured step the page cache is warmed the same way for all (the tree is read once; before a restore the repository is read once) and \`sync\` runs. Times are wall-clock (CPU time is given too, since it moves less when other work shares the cores); peak memory is \"Maximum resident set size\" from \`/usr/bin/time -v\`. The no-change backup is the median of $NOCHANGE_RUNS runs. The restore is of the snapshot after the day of change, into an empty folder, and is compared with the source with \`diff -r\` afterwards (not timed)."
  echo
  printf '| |'; for t in "${ACTIVE[@]}"; do printf ' %s |' "$(label "$t")"; done; echo
  printf '|---|'; for t in "${ACTIVE[@]}"; do printf -- '---:|'; done; echo
  row() { local title=$1 key=$2; printf '| %s |' "$title"; for t in "${ACTIVE[@]}"; do printf ' %s |' "$(cell "$t.$key")"; done; echo; }
  row "Initial backup (MiB/s)" initial.mibs
  row "Initial backup (s)" initial.s
  row "Initial backup, CPU time (user + sys, s)" initial.cpu
  row "Initial backup: cores used (CPU s / wall s)" initial.cores
  row "No-change backup (s, median of $NOCHANGE_RUNS)" nochange.s
  row "Backup after a day of change (s)" mutated.s
  row "Repository growth from that backup (MiB)" added.mib
  row "Full restore (MiB/s)" restore.mibs
  row "Full restore (s)" restore.s
  row "Full restore: cores used (CPU s / wall s)" restore.cores
  row "Restore identical to the source" verified
  row "Repository after the initial backup (MiB)" repo_initial.mib
  row "Repository after all backups (MiB)" repo_final.mib
  row "Peak memory, initial backup (MiB)" initial.rss.mib
  row "Peak memory, any step (MiB)" peak.mib
  echo
  if [ ${#FAILED[@]} -gt 0 ]; then
    echo "Failures: $(for k in "${!FAILED[@]}"; do printf '%s (%s); ' "$k" "${FAILED[$k]}"; done | sed 's/; $//')."
    echo
  fi

  echo "Single-core reference on the same tree (\`cat\` of all files piped into one process): SHA-256 (\`openssl dgst -sha256\`) $(rate "$SRC_BYTES" "$REF_SHA") MiB/s; zstd -1 $(rate "$SRC_BYTES" "$REF_Z1") MiB/s (ratio $(ratio "$SRC_BYTES" "$Z1_BYTES")); zstd -3 $(rate "$SRC_BYTES" "$REF_Z3") MiB/s (ratio $(ratio "$SRC_BYTES" "$Z3_BYTES"))."
  LIMIT3=$(awk -v n="$(nproc)" -v b="$SRC_BYTES" -v h="$REF_SHA" -v z="$REF_Z3" 'BEGIN {printf "%.0f", n * b / 1048576 / (h + z)}')
  LIMIT1=$(awk -v n="$(nproc)" -v b="$SRC_BYTES" -v h="$REF_SHA" -v z="$REF_Z1" 'BEGIN {printf "%.0f", n * b / 1048576 / (h + z)}')
  echo "The limit this sets for a backup that hashes and compresses every byte once, on all $(nproc) cores: $LIMIT3 MiB/s with zstd -3, $LIMIT1 MiB/s with zstd -1 (cores x 1 / (1/sha256 + 1/zstd); encryption with AES-NI is an order of magnitude cheaper and left out)."
  if [ -n "$(val varlor.initial.mibs)" ]; then
    echo "varlor-backup's initial backup runs at $(awk -v v="${R[varlor.initial.mibs]}" -v l="$LIMIT3" 'BEGIN {printf "%.0f%%", 100 * v / l}') of the zstd -3 limit and $(awk -v v="${R[varlor.initial.mibs]}" -v l="$LIMIT1" 'BEGIN {printf "%.0f%%", 100 * v / l}') of the zstd -1 limit, using ${R[varlor.initial.cores]} of $(nproc) cores."
  fi
  echo

  if has_tool restic && [ -n "$VARLOR_BIN" ]; then
    echo "### Ratios"
    echo
    echo "| | varlor / restic |$(has_tool borg && printf ' varlor / borg (lz4) |')$(has_tool borg-zstd && printf ' varlor / borg (zstd,3) |')"
    echo "|---|---:|$(has_tool borg && printf -- '---:|')$(has_tool borg-zstd && printf -- '---:|')"
    rrow() {
      local title=$1 key=$2
      printf '| %s | %s |' "$title" "$(ratio "$(val "varlor.$key")" "$(val "restic.$key")")"
      if has_tool borg; then printf ' %s |' "$(ratio "$(val "varlor.$key")" "$(val "borg.$key")")"; fi
      if has_tool borg-zstd; then printf ' %s |' "$(ratio "$(val "varlor.$key")" "$(val "borg-zstd.$key")")"; fi
      echo
    }
    rrow "Initial backup throughput (higher is better)" initial.mibs
    rrow "Initial backup CPU time (lower is better)" initial.cpu
    rrow "No-change backup time (lower is better)" nochange.s
    rrow "Backup after a day of change, time (lower is better)" mutated.s
    rrow "Repository growth from that backup (lower is better)" added
    rrow "Restore throughput (higher is better)" restore.mibs
    rrow "Repository size after all backups (lower is better)" repo_final
    rrow "Peak memory, any step (lower is better)" peak
    echo
    echo "### Targets (issue 2)"
    echo
    echo "| Target | Required | Measured | |"
    echo "|---|---|---|---|"
    target() {  # target TITLE REQUIRED MEASURED_RATIO OP LIMIT
      local verdict="not met"
      if [ "$3" = n/a ]; then verdict="not measured"
      elif awk -v r="$3" -v l="$5" -v op="$4" 'BEGIN {exit !((op == ">=" && r >= l) || (op == "<=" && r <= l))}'; then verdict="met"; fi
      echo "| $1 | $2 | $3$([ "$3" = n/a ] || echo x) | $verdict |"
    }
    target "Initial backup throughput" "at least 1.5x restic's" "$(ratio "$(val varlor.initial.mibs)" "$(val restic.initial.mibs)")" ">=" 1.5
    target "No-change backup time" "at most 0.5x restic's" "$(ratio "$(val varlor.nochange.s)" "$(val restic.nochange.s)")" "<=" 0.5
    target "Restore throughput" "at least 1x restic's" "$(ratio "$(val varlor.restore.mibs)" "$(val restic.restore.mibs)")" ">=" 1
    target "Repository size" "at most 1x restic's" "$(ratio "$(val varlor.repo_final)" "$(val restic.repo_final)")" "<=" 1
    target "Peak memory" "at most 1x restic's" "$(ratio "$(val varlor.peak)" "$(val restic.peak)")" "<=" 1
    echo
  fi
  if [ -n "${PROFILE_SUMMARY:-}" ]; then
    echo "### Where varlor-backup's initial backup spends its time"
    echo
    echo "\`perf record -e cpu-clock -F 499\` of one more initial backup of the tree after the day of change, into a new repository, with the runtime's perf map on (\`DOTNET_PerfMapEnabled=3\`, which costs a little); percentages of the CPU samples of all threads, summed by \`bench/perf-summary.sh\`. Managed code is grouped by namespace; native libraries (libzstd, OpenSSL's libcrypto, the kernel for I/O and page cache, libcoreclr for the GC and allocation) by name; precompiled (ReadyToRun) framework code that the map does not name stays \"unresolved\"."
    echo
    echo '```'; echo "$PROFILE_SUMMARY"; echo '```'
    echo
    if [ -n "${PROFILE_COMM:-}" ]; then
      echo "By thread name:"
      echo
      echo '```'; echo "$PROFILE_COMM"; echo '```'
      echo
    fi
  elif [ -n "$PROFILE_NOTE" ]; then
    echo "Profile: $PROFILE_NOTE"
    echo
  fi
} >"$SECTION_FILE"

cat "$SECTION_FILE"

if [ "$WRITE_DOC" = 1 ]; then
  mkdir -p "$(dirname "$DOC")"
  doc_section "$DOC" "$SECTION" "$SECTION_FILE" \
    $'# Benchmarks\n\nEach section below is written by a script and names it; rerunning a script replaces only its own section.\n\n'
  log "wrote the section \"$SECTION\" of ${DOC#"$ROOT"/}"
fi
