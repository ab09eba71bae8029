#!/usr/bin/env bash
# Runs the unit tests under AddressSanitizer and ThreadSanitizer, each in its own scratch path.
#
#   scripts/sanitizers.sh              both (address, then thread)
#   scripts/sanitizers.sh address      one of them
#   scripts/sanitizers.sh thread -- --filter ModelFormatsTests   extra `swift test` arguments after --
#
# Tests that run the qscope binary (CLITests) or drive tmux (TerminalTests) are skipped: they test
# the process boundary, not memory safety, and an instrumented binary started from an instrumented
# runner only adds minutes. Every other test runs. Exit status is non-zero if any run fails.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
kinds=()
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    address|thread) kinds+=("$1"); shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: scripts/sanitizers.sh [address] [thread] [-- swift test args]" >&2; exit 2 ;;
  esac
done
[[ ${#kinds[@]} -gt 0 ]] || kinds=(address thread)

# Leak reports from the Swift runtime's one-time caches are not ours; use-after-free, overflows
# and races are. halt_on_error makes the first report fail the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:strict_string_checks=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"

status=0
for kind in "${kinds[@]}"; do
  scratch="$ROOT/.build-sanitize-$kind"
  start=$(date +%s)
  echo "sanitizers: swift test --sanitize=$kind (scratch $scratch)" >&2
  if swift test --scratch-path "$scratch" --sanitize="$kind" --skip 'CLITests' --skip 'TerminalTests' "${extra[@]}"; then
    result=passed
  else
    result=FAILED; status=1
  fi
  echo "sanitizers: $kind $result in $(( $(date +%s) - start ))s" >&2
done
exit $status
