"""The numpy side of the inspect benchmark: the same work `qscope inspect MODEL --scheme int8 --bins 256`
does — per-tensor stats, a 256-bin histogram, and for quantizable (2-D+ float) tensors the error of
symmetric per-output-channel int8 (scale = amax/127, round half away from zero) — written the way a
person would write it with numpy."""
import json
import sys
import time

import numpy as np
from safetensors.numpy import safe_open


def round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + np.float32(0.5))


def int8_error(w):
    rows = w.reshape(w.shape[0], -1).astype(np.float32)
    amax = np.abs(rows).max(axis=1, keepdims=True)
    scale = (amax / np.float32(127)).astype(np.float32)
    inv = np.divide(np.float32(1), scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(round_half_away(rows * inv), -127, 127)
    xhat = q * scale
    err = (rows - xhat).astype(np.float64)
    signal = float(np.sum(rows.astype(np.float64) ** 2))
    noise = float(np.sum(err ** 2))
    dot = float(np.sum(rows.astype(np.float64) * xhat))
    norms = np.sqrt(signal) * np.sqrt(float(np.sum(xhat.astype(np.float64) ** 2)))
    return {
        "bytes": rows.size + 4 * rows.shape[0],
        "sqnr_db": 10 * np.log10(signal / noise) if noise > 0 else float("inf"),
        "mse": noise / rows.size,
        "max_abs_error": float(np.max(np.abs(err))) if rows.size else 0.0,
        "cosine": dot / norms if norms > 0 else 1.0,
    }


def tensors(path):
    """(name, array in numpy order) for a .safetensors file, or for a .gguf file's float tensors
    (gguf-py's reader; F32/F16/BF16 — the types this benchmark uses)."""
    if str(path).endswith(".gguf"):
        import gguf
        for t in gguf.GGUFReader(path).tensors:
            shape = tuple(int(d) for d in reversed(t.shape.tolist()))
            yield t.name, np.asarray(gguf.quants.dequantize(t.data, t.tensor_type)).reshape(shape)
        return
    with safe_open(path, framework="np") as f:
        for name in f.keys():
            yield name, f.get_tensor(name)


def inspect(path, bins=256):
    out = []
    for name, t in tensors(path):
        x = t.astype(np.float32, copy=False)
        finite = np.isfinite(x)
        xf = x[finite]
        stats = {
            "min": float(xf.min()) if xf.size else 0.0,
            "max": float(xf.max()) if xf.size else 0.0,
            "mean": float(xf.mean(dtype=np.float64)) if xf.size else 0.0,
            "std": float(xf.std(dtype=np.float64)) if xf.size else 0.0,
            "zeros": int(np.count_nonzero(x == 0)),
            "nonfinite": int(x.size - xf.size),
        }
        counts, _ = np.histogram(xf, bins=bins)
        entry = {"name": name, "stats": stats, "histogram": counts.tolist()}
        if t.ndim >= 2 and np.issubdtype(t.dtype, np.floating):
            entry["quant"] = int8_error(x)
        out.append(entry)
    return out


if __name__ == "__main__":
    start = time.perf_counter()
    result = inspect(sys.argv[1])
    elapsed = time.perf_counter() - start
    print(json.dumps({"tensors": len(result), "seconds": elapsed}))
