#!/usr/bin/env bash
# perf-summary.sh PERF_DATA PERF_MAP_DIR [TOP]
# Flat profile of a `perf record` of a .NET program, resolving run-time compiled (JIT) code through
# the perf maps the runtime wrote into PERF_MAP_DIR (DOTNET_PerfMapEnabled=3 with
# DOTNET_PerfMapJitDumpPath=PERF_MAP_DIR), since perf itself only looks in /tmp.
# Prints two tables: CPU samples by area (library, or namespace for managed code) and by symbol.
set -euo pipefail
data=$1 maps=$2 top=${3:-25}
sorted=$(mktemp -p "$(dirname "$data")" perfmap.XXXXXX)
trap 'rm -f "$sorted"' EXIT

# Map lines are "START SIZE NAME" in hex; keep them as decimal "START END NAME", sorted by START.
cat "$maps"/perf-*.map 2>/dev/null | awk '
  function hex(s,   i, n) { s = tolower(s); sub(/^0x/, "", s); n = 0
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n }
  { start = hex($1); size = hex($2); $1 = ""; $2 = ""; sub(/^  /, ""); printf "%.0f %.0f %s\n", start, start + size, $0 }
' | sort -n -k1,1 >"$sorted"

perf script -i "$data" -F ip,sym,dso 2>/dev/null | awk -v mapfile="$sorted" -v top="$top" '
  function hex(s,   i, n) { s = tolower(s); sub(/^0x/, "", s); n = 0
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n }
  function lookup(ip,   lo, hi, mid) { lo = 1; hi = nmap; found = 0
    while (lo <= hi) { mid = int((lo + hi) / 2); if (ms[mid] <= ip) { found = mid; lo = mid + 1 } else hi = mid - 1 }
    if (found && ip < me[found]) return mn[found]; return "" }
  function base(path) { sub(/^\(/, "", path); sub(/\)$/, "", path); sub(/ \(deleted\)$/, "", path); n = split(path, parts, "/"); return parts[n] }
  BEGIN {
    while ((getline line < mapfile) > 0) { nmap++; split(line, f, " "); ms[nmap] = f[1] + 0; me[nmap] = f[2] + 0
      name = line; sub(/^[0-9]+ [0-9]+ /, "", name); mn[nmap] = name }
  }
  NF >= 2 {
    total++
    ip = hex($1); rest = $0; sub(/^[ \t]*[0-9a-f]+[ \t]+/, "", rest)
    # The mapping is the last "(...)": "(/usr/lib/libzstd.so.1)", "([kernel.kallsyms])", "(/memfd:doublemapper (deleted))".
    if (match(rest, / \([\/[][^ ()]*( \(deleted\))?\)$/)) { dso = substr(rest, RSTART + 1); sym = substr(rest, 1, RSTART - 1) }
    else { dso = "(unknown)"; sym = rest }
    if (dso ~ /kallsyms/) { area = "kernel (syscalls, I/O, page cache, page faults)" }
    else if (dso ~ /libzstd/) { area = "libzstd (compression)" }
    else if (dso ~ /libcrypto/) { area = "OpenSSL libcrypto (hashing, encryption)" }
    else if (dso ~ /libcoreclr/) { area = "CLR runtime (GC, allocation, stubs)" }
    else if (dso ~ /libclrjit/) { area = "JIT compiler" }
    else if (dso ~ /libc\.so|libm\.so|ld-linux/) { area = "libc" }
    else {
      managed = (sym == "[unknown]" || sym == "") ? lookup(ip) : ""
      if (managed != "") {
        sym = managed
        if (managed ~ /^stub /) area = "CLR stubs"
        else if (match(managed, /\[[^]]+\] [^ :]+::/)) {
          # "instance void [asm] Name.Space.Type::Method(args)[Tier]": area "[asm] Name.Space", symbol from "[asm]" on.
          sym = substr(managed, RSTART); ns = substr(managed, RSTART, RLENGTH - 2); sub(/`.*/, "", ns); sub(/\.[^. ]*$/, "", ns)
          area = "managed: " ns
        } else area = "managed, other"
      } else if (dso ~ /\.dll\)$/ || dso ~ /doublemapper|deleted/) {
        area = "managed, unresolved: " base(dso)
      } else { area = base(dso) }
    }
    if (sym == "[unknown]" || sym == "") sym = "[unknown] in " base(dso)
    byarea[area]++; bysym[sym]++
  }
  END {
    if (total == 0) { print "no samples"; exit }
    printf "%d samples\n\nBy area:\n\n", total
    for (a in byarea) printf "%7.2f%%  %s\n", 100 * byarea[a] / total, a | "sort -rn"
    close("sort -rn")
    printf "\nTop symbols:\n\n"
    cmd = "sort -rn | head -n " top
    for (s in bysym) printf "%7.2f%%  %s\n", 100 * bysym[s] / total, substr(s, 1, 140) | cmd
    close(cmd)
  }
'
