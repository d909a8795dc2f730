#!/usr/bin/env bash
# bench/test-lib.sh: tests doc_section of bench/lib.sh, the function every benchmark script rewrites its section
# of docs/benchmarks.md with, on temporary copies of docs/benchmarks.md. Runs no benchmark: well under a minute.
# Checks that it replaces only its section and keeps every other byte, that it writes through a temporary file
# renamed over the doc (keeping the doc's mode, following a symlink, leaving nothing behind, leaving the doc
# untouched when it fails), that it appends a section whose header is missing, and that it writes exactly the
# bytes the scripts' own code wrote before bench/lib.sh (the Python of postgres.sh, s3.sh, lifecycle.sh and
# server-upload.sh, the awk of run.sh: kept below as the reference).
# Prints one line per failed check and "test-lib: N checks, N failed"; exits 1 if any failed.
# No pipeline here may end before its input does: under dotnet test SIGPIPE is ignored, so a writer cut short
# fails (EPIPE) instead of dying quietly, and pipefail would stop the script.
set -euo pipefail
BENCH_LOG_TAG=test-lib
# shellcheck source=bench/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
DOC="$BENCH_ROOT/docs/benchmarks.md"
[ -f "$DOC" ] || die "$DOC is missing"
T=$(mktemp -d)
trap 'rm -rf -- "$T"' EXIT
checks=0 failed=0
check() {  # check WHAT COMMAND...: one check, COMMAND must succeed
  local what=$1; shift
  checks=$((checks + 1))
  if ! "$@"; then failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
same() { cmp -s "$1" "$2"; }
no_temp_left() { [ -z "$(find "$T/d" -name '*.md.*' -print -quit)" ]; }
fresh() { rm -rf -- "$T/d"; mkdir -p "$T/d"; }

# ------------------------------------------------------------ the scripts' code before bench/lib.sh
# postgres.sh and s3.sh (lifecycle.sh and server-upload.sh: the same, with the section not from a file).
old_python() {  # old_python DOC HEADER SECTION_FILE
  python3 - "$3" "$1" "$2" <<'PY'
import re, sys
section = open(sys.argv[1]).read().rstrip("\n") + "\n"
try:
    doc = open(sys.argv[2]).read()
except FileNotFoundError:
    doc = "# Benchmarks\n"
pattern = re.compile("^" + re.escape(sys.argv[3]) + r"\n.*?(?=^## |\Z)", re.S | re.M)
doc = pattern.sub(lambda _: section + "\n", doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section
open(sys.argv[2], "w").write(doc)
PY
}
RUN_NEW_DOC=$'# Benchmarks\n\nEach section below is written by a script and names it; rerunning a script replaces only its own section.\n\n'
old_awk() {  # old_awk DOC HEADER SECTION_FILE (run.sh)
  [ -f "$1" ] || printf '%s' "$RUN_NEW_DOC" >"$1"
  awk -v sec="$3" -v header="$2" '
    BEGIN { while ((getline line < sec) > 0) body = body line "\n" }
    $0 == header { printf "%s", body; skipping = 1; done = 1; next }
    skipping && /^## / { skipping = 0 }
    !skipping { print; last = $0 }
    END { if (!done) printf "%s%s", (NR > 0 && last != "" ? "\n" : ""), body }
  ' "$1" >"$1.new"
  cat "$1.new" >"$1"; rm -f "$1.new"
}

# Sections as the scripts write them: postgres.sh, s3.sh, lifecycle.sh and server-upload.sh end theirs with one
# newline, run.sh with a blank line.
section_py() { printf '%s\n\nWritten by a test on %s.\n\n| a | b |\n|---|---:|\n| x | 1.5 \\ 2 |\n' "$1" "$2" >"$3"; }
section_run() { printf '%s\n\nWritten by a test on %s.\n\n| a |\n|---|\n| y |\n\n' "$1" "$2" >"$3"; }

mapfile -t HEADERS < <(grep '^## ' "$DOC")
[ "${#HEADERS[@]}" -ge 5 ] || die "expected at least 5 sections in $DOC, found ${#HEADERS[@]}"

# ------------------------------------------------------------ replacing each section
for header in "${HEADERS[@]}"; do
  fresh
  cp "$DOC" "$T/d/benchmarks.md"; chmod 640 "$T/d/benchmarks.md"
  ln -s benchmarks.md "$T/d/link.md"
  section_py "$header" "day 1" "$T/section.md"
  inode=$(stat -c %i "$T/d/benchmarks.md")
  check "$header: doc_section succeeds" doc_section "$T/d/link.md" "$header" "$T/section.md"
  out="$T/d/benchmarks.md"
  check "$header: the symlink is still a symlink" test -L "$T/d/link.md"
  check "$header: written by rename (new inode)" test "$(stat -c %i "$out")" != "$inode"
  check "$header: mode kept" test "$(stat -c %a "$out")" = 640
  check "$header: no temporary file left" no_temp_left
  # Everything before the header and from the next "## " line on is byte-identical.
  start=$(grep -m1 -n -x -F -- "$header" "$DOC" | cut -d: -f1)
  next=$(awk -v s="$start" 'NR > s && /^## / {print NR; exit}' "$DOC")
  head -n $((start - 1)) "$DOC" >"$T/before.orig"; head -n $((start - 1)) "$out" >"$T/before.new"
  check "$header: bytes before the section unchanged" same "$T/before.orig" "$T/before.new"
  if [ -n "$next" ]; then
    tail -n +"$next" "$DOC" >"$T/after.orig"
    nstart=$(grep -m1 -n -x -F -- "$header" "$out" | cut -d: -f1)
    nnext=$(awk -v s="$nstart" 'NR > s && /^## / {print NR; exit}' "$out")
    tail -n +"$nnext" "$out" >"$T/after.new"
    check "$header: bytes after the section unchanged" same "$T/after.orig" "$T/after.new"
  fi
  awk -v s="$start" 'NR > s && /^## / {exit} NR >= s {print}' "$out" >"$T/written"
  { cat "$T/section.md"; echo; } >"$T/expected"
  check "$header: the section, then one blank line" same "$T/expected" "$T/written"
  check "$header: a backslash in the section is written as is" grep -q -F '| x | 1.5 \ 2 |' "$out"

  cp "$DOC" "$T/old.md"; old_python "$T/old.md" "$header" "$T/section.md"
  check "$header: same bytes as the old Python" same "$T/old.md" "$out"

  section_run "$header" "day 2" "$T/section.md"
  cp "$DOC" "$T/d/benchmarks.md"; cp "$DOC" "$T/old.md"
  doc_section "$T/d/benchmarks.md" "$header" "$T/section.md"; old_awk "$T/old.md" "$header" "$T/section.md"
  check "$header: same bytes as run.sh's old awk" same "$T/old.md" "$T/d/benchmarks.md"
  cp "$T/d/benchmarks.md" "$T/once.md"; doc_section "$T/d/benchmarks.md" "$header" "$T/section.md"
  check "$header: rewriting the same section again changes nothing" same "$T/once.md" "$T/d/benchmarks.md"
done

# ------------------------------------------------------------ appending a section whose header is missing
header="## A new benchmark (issue 99)"
for ending in '' '\n'; do
  fresh
  # shellcheck disable=SC2059  # $ending is a format on purpose
  { sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$DOC"; printf "$ending"; } >"$T/base.md"   # doc ending in a newline, or a blank line
  for kind in py run; do
    "section_$kind" "$header" "day 3" "$T/section.md"
    cp "$T/base.md" "$T/d/benchmarks.md"; cp "$T/base.md" "$T/old.md"
    check "append ($kind, doc ending \n${ending}): doc_section succeeds" doc_section "$T/d/benchmarks.md" "$header" "$T/section.md"
    if [ "$kind" = py ]; then old_python "$T/old.md" "$header" "$T/section.md"; else old_awk "$T/old.md" "$header" "$T/section.md"; fi
    check "append ($kind, doc ending \n${ending}): same bytes as before" same "$T/old.md" "$T/d/benchmarks.md"
    head -c "$(($(stat -c %s "$T/base.md") - 1))" "$T/base.md" >"$T/prefix"   # the doc but its last newline
    check "append ($kind, doc ending \n${ending}): the doc is kept before the section" \
      same "$T/prefix" <(head -c "$(stat -c %s "$T/prefix")" "$T/d/benchmarks.md")
    check "append ($kind, doc ending \n${ending}): the section ends the doc" \
      same "$T/section.md" <(tail -c "$(stat -c %s "$T/section.md")" "$T/d/benchmarks.md")
  done
done

# ------------------------------------------------------------ a doc that does not exist yet
fresh
section_py "$header" "day 4" "$T/section.md"
doc_section "$T/d/benchmarks.md" "$header" "$T/section.md"
old_python "$T/old-new.md" "$header" "$T/section.md"
check "missing doc: same bytes as the old Python" same "$T/old-new.md" "$T/d/benchmarks.md"
check "missing doc: created with the umask's mode" test "$(stat -c %a "$T/d/benchmarks.md")" = "$(printf '%o' $((0666 & ~$(umask))))"
fresh; rm -f "$T/old-new.md"
section_run "$header" "day 4" "$T/section.md"
doc_section "$T/d/benchmarks.md" "$header" "$T/section.md" "$RUN_NEW_DOC"
old_awk "$T/old-new.md" "$header" "$T/section.md"
check "missing doc, run.sh's first text: same bytes as run.sh's old awk" same "$T/old-new.md" "$T/d/benchmarks.md"

# ------------------------------------------------------------ failure leaves the doc as it was
fresh
cp "$DOC" "$T/d/benchmarks.md"
missing_section_fails() { ! doc_section "$T/d/benchmarks.md" "## PostgreSQL (issue 5)" "$T/nothing.md" 2>/dev/null; }
check "a missing section file fails" missing_section_fails
check "after a failure the doc is untouched" same "$DOC" "$T/d/benchmarks.md"
check "after a failure no temporary file is left" no_temp_left

echo "test-lib: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
