#!/usr/bin/env bash
# Benchmark: a 7B-shaped F16 GGUF (LLaMA-2-7B tensor shapes, 13.5 GB as a sparse file: all weights
# zero, so no disk is needed for the input) quantized with `qscope quantize --preset q4_k_m`:
# streaming, the input mapped, one tensor in memory at a time. Prints wall time and peak RSS
# (goal: peak RSS < 1 GB). Writes ~3.9 GB of output into DIR (default /tmp), removed afterwards.
# Usage: Benchmarks/gguf-7b-stream.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp}"
swift build -c release --product qscope >/dev/null 2>&1
input="$dir/qscope-7b-f16-$$.gguf" output="$dir/qscope-7b-q4_k_m-$$.gguf"
trap 'rm -f "$input" "$output"' EXIT
python3 - "$input" <<'PY'
import struct, sys
width, ffn, vocab, blocks = 4096, 11008, 32000, 32
F32, F16 = 0, 1
tensors = [("token_embd.weight", [width, vocab], F16)]
for b in range(blocks):
    for op in ("attn_q", "attn_k", "attn_v", "attn_output"):
        tensors.append((f"blk.{b}.{op}.weight", [width, width], F16))
    tensors += [(f"blk.{b}.ffn_gate.weight", [width, ffn], F16), (f"blk.{b}.ffn_up.weight", [width, ffn], F16),
                (f"blk.{b}.ffn_down.weight", [ffn, width], F16), (f"blk.{b}.attn_norm.weight", [width], F32),
                (f"blk.{b}.ffn_norm.weight", [width], F32)]
tensors += [("output_norm.weight", [width], F32), ("output.weight", [width, vocab], F16)]
def string(s):
    b = s.encode(); return struct.pack("<Q", len(b)) + b
kv = [("general.architecture", 8, string("llama")), ("llama.block_count", 4, struct.pack("<I", blocks)),
      ("llama.embedding_length", 4, struct.pack("<I", width)), ("general.file_type", 4, struct.pack("<I", 1))]
head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
for key, kind, value in kv:
    head += string(key) + struct.pack("<I", kind) + value
offset = 0
for name, dims, kind in tensors:
    head += string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
    head += struct.pack("<IQ", kind, offset)
    count = 1
    for d in dims: count *= d
    offset += (count * (2 if kind == F16 else 4) + 31) // 32 * 32
head += b"\0" * (-len(head) % 32)
with open(sys.argv[1], "wb") as f:
    f.write(head)
    f.truncate(len(head) + offset)
print(f"input: {sys.argv[1]}, {len(tensors)} tensors, {(len(head) + offset) / 1e9:.1f} GB sparse", file=sys.stderr)
PY
/usr/bin/time -f "%e %M" -o "$dir/qscope-7b-time-$$" .build/release/qscope quantize "$input" -o "$output" --preset q4_k_m >/dev/null
read -r wall kb < "$dir/qscope-7b-time-$$"; rm -f "$dir/qscope-7b-time-$$"
echo "q4_k_m: $(stat -c %s "$output") bytes written in ${wall} s, peak RSS $((kb / 1024)) MiB ($( [ $((kb * 1024)) -lt 1000000000 ] && echo 'within' || echo 'OVER') the 1 GB goal), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
