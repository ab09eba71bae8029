#!/usr/bin/env python3
"""Writes Tests/Interop/fixtures/npz/: the same small arrays saved by np.savez_compressed
(deflated members) and np.savez (stored members), for the .npz reader's tests.

    /work/venv-interop/bin/python scripts/make-npz-fixtures.py

  x    float32 [6, 8, 8, 1]  (digits-like values in [0, 1], seeded)
  y    int64   [6]
  h    float16 [3, 5]
  u    uint8   [300]         (a repetitive ramp: compresses well)
"""
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "Tests" / "Interop" / "fixtures" / "npz"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    arrays = {
        "x": rng.integers(0, 17, size=(6, 8, 8, 1)).astype(np.float32) / 16,
        "y": rng.integers(0, 10, size=6).astype(np.int64),
        "h": rng.normal(size=(3, 5)).astype(np.float16),
        "u": (np.arange(300) % 7).astype(np.uint8),
    }
    np.savez_compressed(OUT / "compressed.npz", **arrays)
    np.savez(OUT / "stored.npz", **arrays)


if __name__ == "__main__":
    main()
