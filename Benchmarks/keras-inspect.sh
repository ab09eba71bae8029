#!/usr/bin/env bash
# Benchmark: `qscope inspect` of every Keras sample (.keras and legacy .h5), release build, including
# the libhdf5 probe child the executable runs first (HDF5Isolation). Prints the median and worst wall
# time of RUNS runs per file and the peak RSS. Goal (issue 7): each under 0.2 s.
# Usage: Benchmarks/keras-inspect.sh [FILE...]   (default: SampleModels/*.keras SampleModels/*.h5)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product qscope >/dev/null 2>&1
runs=${RUNS:-7}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(SampleModels/*.keras SampleModels/*.h5)
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
printf "%-32s %10s %10s %10s\n" file "median s" "worst s" "peak RSS"
for file in "${files[@]}"; do
  walls=() rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o /tmp/qscope-keras-time .build/release/qscope inspect "$file" >/dev/null
    read -r wall kb < /tmp/qscope-keras-time
    walls+=("$wall")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  worst=$(echo "$sorted" | tail -1)
  printf "%-32s %10s %10s %7d MB\n" "$(basename "$file")" "$median" "$worst" $((rss / 1024))
done
