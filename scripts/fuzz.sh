#!/usr/bin/env bash
# Long run of the decoder properties (crates/mix-core/tests/properties.rs):
# every property ("target") gets PROPTEST_CASES random inputs (default
# 1,000,000) in release mode. Prints each target's case count and time and
# appends a dated summary to fuzz-results.txt at the repository root.
#
#   scripts/fuzz.sh                      # 1,000,000 cases per target
#   PROPTEST_CASES=50000 scripts/fuzz.sh # a shorter run
#
# The short run (256 cases per target) is part of `npm test` via
# `cargo test -p mix-core`. A failing case is saved by proptest in
# crates/mix-core/tests/properties.proptest-regressions and replayed first
# on every later run.
set -euo pipefail

cd "$(dirname "$0")/.."
cases="${PROPTEST_CASES:-1000000}"
results="fuzz-results.txt"

# Build, then run the test binary directly: `cargo test` would hold the
# build-directory lock for the whole (long) run and block other builds.
echo "fuzz: building the properties (release)…"
bin=$(cargo test -p mix-core --release --test properties --no-run --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "fuzz: could not build the properties test binary" >&2
  exit 1
fi

mapfile -t targets < <("$bin" --list 2>/dev/null | sed -n 's/: test$//p')
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz: no properties found" >&2
  exit 1
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
summary=()
status=0
total_start=$(date +%s.%N)
echo "fuzz: ${#targets[@]} targets × ${cases} cases"
for target in "${targets[@]}"; do
  t0=$(date +%s.%N)
  if PROPTEST_CASES="$cases" "$bin" --exact "$target" --test-threads=1 >"/tmp/fuzz-$target.log" 2>&1; then
    outcome=ok
  else
    outcome=FAILED
    status=1
  fi
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  rate=$(awk -v n="$cases" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
  line=$(printf '%-58s %9s cases %8ss %9s/s  %s' "$target" "$cases" "$secs" "$rate" "$outcome")
  echo "$line"
  summary+=("  $line")
  if [[ $outcome == FAILED ]]; then
    grep -E "minimal failing input|Test failed|panicked" "/tmp/fuzz-$target.log" | cut -c1-400 >&2 || true
  fi
done
total=$(awk -v a="$total_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
verdict=$([[ $status -eq 0 ]] && echo "all clean" || echo "FAILURES")
echo "fuzz: ${#targets[@]} targets, ${cases} cases each, ${total}s in total: ${verdict}"

{
  echo "${started}  commit ${commit}  PROPTEST_CASES=${cases}  $(nproc) cores  ${total}s  ${verdict}"
  printf '%s\n' "${summary[@]}"
} >>"$results"
exit "$status"
