#!/usr/bin/env bash
# Quick start, main job: builds qscope (release) and opens the bundled sample model in the inspector.
# Extra arguments go to qscope, e.g. `scripts/run.sh SampleModels/minilm-sample.gguf`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product qscope >&2
exec .build/release/qscope "$@"
