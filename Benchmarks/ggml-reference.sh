#!/usr/bin/env bash
# Builds ggml's CPU quantizers (ggml_quantize_chunk) as a shared library from the llama-cpp-python
# source distribution, for `qscope-bench kernels --ggml LIB` to time side by side with ours.
#
#   Benchmarks/ggml-reference.sh [PYTHON]        # prints the library path on the last line
#
# The sdist is downloaded by pip into ~/.cache/qscope-ggml (nothing is committed). Flags default
# to the package's plain optimized C build (-O2 -DNDEBUG, no -march); override with GGML_CFLAGS,
# e.g. GGML_CFLAGS="-O2 -DNDEBUG -ffp-contract=off" for the FMA-free build the test fixtures use.
set -euo pipefail
PYTHON="${1:-python3}"
CACHE="${QSCOPE_GGML_CACHE:-$HOME/.cache/qscope-ggml}"
FLAGS="${GGML_CFLAGS:--O2 -DNDEBUG}"
mkdir -p "$CACHE"
cd "$CACHE"
if ! ls llama_cpp_python-*.tar.gz >/dev/null 2>&1; then
  "$PYTHON" -m pip download --quiet --no-deps --no-binary llama-cpp-python llama-cpp-python -d "$CACHE" >&2
fi
SDIST="$(ls -1 llama_cpp_python-*.tar.gz | sort -V | tail -1)"
SRC="${SDIST%.tar.gz}"
[ -d "$SRC" ] || tar xzf "$SDIST"
G="$CACHE/$SRC/vendor/llama.cpp/ggml"
[ -f "$G/src/ggml-quants.c" ] || { echo "no ggml sources in $SDIST" >&2; exit 1; }
BUILD="$CACHE/build-$(echo "$FLAGS" | tr -c 'A-Za-z0-9' '_')"
LIB="$BUILD/libggml-bench.so"
if [ ! -f "$LIB" ]; then
  mkdir -p "$BUILD"
  echo '#define GGML_VERSION "bench"' > "$BUILD/ggml-version.h"
  echo '#define GGML_COMMIT "bench"' >> "$BUILD/ggml-version.h"
  for f in ggml.c ggml-quants.c ggml-alloc.c; do
    gcc $FLAGS -fPIC -std=gnu11 -D_GNU_SOURCE -I"$G/include" -I"$G/src" -I"$BUILD" -c "$G/src/$f" -o "$BUILD/$f.o" &
  done
  wait
  for f in ggml.cpp ggml-threading.cpp gguf.cpp ggml-backend.cpp ggml-backend-meta.cpp; do
    [ -f "$G/src/$f" ] || continue
    g++ $FLAGS -fPIC -std=c++17 -I"$G/include" -I"$G/src" -I"$BUILD" -c "$G/src/$f" -o "$BUILD/$f.o" &
  done
  wait
  g++ -shared -o "$LIB" "$BUILD"/*.o -lm -lpthread
fi
echo "$LIB"
