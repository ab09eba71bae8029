#!/usr/bin/env bash
# Quick start, every test: system packages, the Swift unit/view/CLI/tmux tests, then the interop
# stage (pytest in a virtual environment with the real runtimes: LiteRT, gguf, safetensors, keras).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup.sh

echo "== swift build" >&2
swift build --build-tests 2>&1 | tail -n 3
echo "== swift test" >&2
# Files our writers produce in the Swift tests, for the interop stage to load with the real runtimes.
export QSCOPE_INTEROP_DIR="$root/.build/interop-files"
rm -rf "$QSCOPE_INTEROP_DIR"; mkdir -p "$QSCOPE_INTEROP_DIR"
swift test --skip-build --parallel 2>&1 | tee .build/swift-test.log | grep -vE '^(\[|Test Case|◇|↳)' | tail -n 40
# `swift test` prints a summary; fail loudly if any test failed (tee hides its status).
if grep -qE "(✘ Test run with .* failed|error: )" .build/swift-test.log; then
  echo "swift test: failures above" >&2
  exit 1
fi

echo "== interop (pytest)" >&2
req=Tests/Interop/requirements.txt
venv="${QSCOPE_VENV:-$HOME/.cache/qscope/venv-$(sha1sum "$req" | cut -c1-12)}"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$req"
fi
export QSCOPE_BIN="$root/.build/debug/qscope"
export QSCOPE_BENCH="$root/.build/debug/qscope-bench"
export QSCOPE_ROOT="$root"
export QSCOPE_DEQUANT_CMD="$QSCOPE_BIN dump {file} --tensor {tensor} -o {out} --force"
export KERAS_BACKEND="${KERAS_BACKEND:-jax}"
status=0
"$venv/bin/pytest" -q -rs Tests/Interop || status=$?
# pytest exits 5 when it collected nothing; that is a broken test stage, not a pass.
[ "$status" -eq 5 ] && echo "pytest collected no interop tests" >&2
exit "$status"
