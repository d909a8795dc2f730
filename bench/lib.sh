# shellcheck shell=bash
# bench/lib.sh: what the benchmark scripts share. Sourced, never run: each script does
#   . "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# (readlink -f, so that a symlink to a script still finds this file) and sets BENCH_LOG_TAG for log().
# Sourcing defines functions, BENCH_ROOT, and exports the .NET CLI's quiet settings; it runs nothing else.
# bench/test-lib.sh tests the doc-section rewrite (and the tests run it: Varlor.Docs.Tests.BenchLibTests).

# The checkout: the folder above this file's real location.
BENCH_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# log MESSAGE...: one line on stderr, "[TAG HH:MM:SS] MESSAGE", TAG being $BENCH_LOG_TAG (default "bench").
log() { printf '[%s %s] %s\n' "${BENCH_LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
# die MESSAGE...: logs "error: MESSAGE" and exits 1.
die() { log "error: $*"; exit 1; }

# apt_install PACKAGE...: installs the Debian packages given (none: does nothing), through sudo unless root.
apt_install() {
  [ $# -gt 0 ] || return 0
  log "installing $*"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# claim_work_dir DIR: empties DIR for this run, or makes it; a DIR that exists must carry the marker file
# .varlor-bench that this function leaves, so that a wrong BENCH_WORK deletes nothing that is not ours.
claim_work_dir() {
  if [ -e "$1" ]; then
    [ -f "$1/.varlor-bench" ] || die "$1 exists and was not made by a bench script; remove it or set BENCH_WORK"
    rm -rf -- "$1"
  fi
  mkdir -p "$1"
  touch "$1/.varlor-bench"
}

# free_port: prints a TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# warm PATH...: reads every file below the paths once, so that each measured step starts with the same warm
# page cache.
warm() { find "$@" -type f -print0 | xargs -0 -r cat >/dev/null; }

# tree_bytes DIR: prints the total size in bytes of the files below DIR.
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}'; }

# mib BYTES: prints BYTES in MiB with one decimal.
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }

# rate BYTES SECONDS: prints the throughput in MiB/s with one decimal, or n/a when SECONDS is not above 0.
rate() { awk -v b="$1" -v s="$2" 'BEGIN {if (s > 0) printf "%.1f", b / 1048576 / s; else print "n/a"}'; }

# ratio A B [NA]: prints A / B with two decimals, or NA (default "n/a") when A or B is not a number (empty,
# "-", "failed"...) or B is not above 0.
ratio() {
  awk -v a="$1" -v b="$2" -v na="${3:-n/a}" 'BEGIN {
    num = "^-?[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?$"
    if (a ~ num && b ~ num && b + 0 > 0) printf "%.2f", a / b; else print na }'
}

# timed OUT CMD...: runs CMD after a sync under /usr/bin/time -v, CMD's output into OUT.log and time's report
# into OUT.time. Sets TIMED_RC (CMD's exit status), TIMED_NS (wall-clock nanoseconds), TIMED_CPU (user + sys
# seconds, two decimals) and TIMED_RSS_KIB (peak resident memory in KiB; empty when time reported none).
# Returns 0 whatever CMD returned, but exits 130 if CMD was interrupted: /usr/bin/time ignores SIGINT, so bash
# does not see a Ctrl-C that stopped CMD.
# shellcheck disable=SC2034  # the TIMED_ variables are for the scripts that source this file
timed() {
  local out=$1 t0 t1
  shift
  TIMED_RC=0
  sync
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$out.time" "$@" >"$out.log" 2>&1 || TIMED_RC=$?
  t1=$(date +%s%N)
  if [ "$TIMED_RC" -eq 130 ] || [ "$TIMED_RC" -eq 143 ]; then log "interrupted"; exit 130; fi
  TIMED_NS=$((t1 - t0))
  TIMED_CPU=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$out.time")
  TIMED_RSS_KIB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out.time")
}

# seconds NANOSECONDS [DECIMALS]: prints NANOSECONDS as seconds, with DECIMALS decimals (default 2).
seconds() { awk -v n="$1" -v d="${2:-2}" 'BEGIN {printf "%.*f", d, n / 1e9}'; }

# loadavg: prints the 1, 5 and 15 minute load averages, e.g. "1.85 2.58 4.98".
loadavg() { cut -d ' ' -f 1-3 /proc/loadavg; }
# cpu_model: prints the CPU's model name, e.g. "Intel(R) Xeon(R) Processor".
cpu_model() { grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'; }
# ram_gib: prints the machine's memory, e.g. "24 GiB".
ram_gib() { awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo; }
# os_name: prints the distribution's name, e.g. "Debian GNU/Linux 12 (bookworm)".
# shellcheck source=/dev/null
os_name() { (. /etc/os-release && echo "$PRETTY_NAME"); }

# dotnet_sdk_version: prints the .NET SDK's version, or ? without one.
dotnet_sdk_version() { dotnet --version 2>/dev/null || echo '?'; }
# restic_version: prints e.g. "restic 0.14.0".
restic_version() { restic version | cut -d ' ' -f 1-2; }
# program_version PROGRAM: prints the first line of PROGRAM --version (e.g. varlor-backup's).
program_version() { "$1" --version 2>/dev/null | head -n 1; }
# git_commit: prints the checkout's HEAD commit, abbreviated.
git_commit() { git -C "$BENCH_ROOT" rev-parse --short HEAD; }

# build_project PROJECT OUT_DIR LOG WHAT: dotnet build -c Release of PROJECT (a path under the checkout) into
# OUT_DIR, its output in LOG; on failure shows LOG's last 30 lines and dies with "WHAT build failed".
build_project() {
  dotnet build "$BENCH_ROOT/$1" -c Release -o "$2" >"$3" 2>&1 || { tail -n 30 "$3" >&2; die "$4 build failed (see $3)"; }
}

# temp_beside FILE: makes an empty temporary file in the folder FILE really is in (FILE may be a symlink or not
# exist yet) and prints its path: write the new content there, then replace_with it.
temp_beside() { mktemp "$(readlink -f "$1").XXXXXX"; }
# replace_with TEMP FILE: renames TEMP over FILE (its real path), so that FILE is at any moment either as it was
# or complete; TEMP first takes FILE's mode (and owner, as root), or the umask's mode for a new FILE.
replace_with() {
  local target
  target=$(readlink -f "$2")
  if [ -e "$target" ]; then
    chmod --reference="$target" "$1" || return 1
    [ "$(id -u)" != 0 ] || chown --reference="$target" "$1" || return 1
  else
    chmod "$(printf '%o' $((0666 & ~$(umask))))" "$1" || return 1
  fi
  mv -f -- "$1" "$target"
}

# doc_section DOC HEADER SECTION_FILE [NEW_DOC]: puts the section in SECTION_FILE (Markdown whose first line is
# HEADER, e.g. "## PostgreSQL (issue 5)") into the Markdown file DOC, atomically (temp_beside, replace_with):
# on failure it returns non-zero and DOC is untouched.
#   - Where a line of DOC is HEADER, the section replaces everything from that line to the next line that starts
#     with "## " (or to the end of DOC): the section without its trailing blank lines, then one blank line.
#   - Where no line is HEADER, the section is appended as given, after one blank line.
#   - A DOC that does not exist is first NEW_DOC (default "# Benchmarks" and a newline).
# The rest of DOC keeps its bytes (lines end with \n: a \r\n becomes \n, as Python's text files do).
doc_section() {
  local new_doc=${4-$'# Benchmarks\n'} tmp
  tmp=$(temp_beside "$1") || return 1
  if python3 - "$1" "$2" "$3" "$new_doc" >"$tmp" <<'PY' && replace_with "$tmp" "$1"; then return 0; fi
import re, sys
doc_path, header, section_path, new_doc = sys.argv[1:5]
raw = open(section_path, encoding="utf-8").read()
section = raw.rstrip("\n") + "\n"
try:
    doc = open(doc_path, encoding="utf-8").read()
except FileNotFoundError:
    doc = new_doc
pattern = re.compile("^" + re.escape(header) + r"\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(doc):
    doc = pattern.sub(lambda _: section + "\n", doc)
else:
    doc = doc.rstrip("\n") + "\n\n" + (raw if raw.endswith("\n") else section)
sys.stdout.buffer.write(doc.encode("utf-8"))
PY
  rm -f -- "$tmp"
  return 1
}
