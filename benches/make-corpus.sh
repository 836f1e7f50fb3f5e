#!/usr/bin/env bash
# Generates the benchmark corpus (a realistic SUBSCRIBE stream, 64 MiB of JSON
# payload, the same events in protobuf) with the generator that ships beside the
# project in ../shared/bench/. Needs protoc and Python's `protobuf` package.
#   usage: benches/make-corpus.sh [OUT_DIR]   (default target/bench-corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-corpus}
gen=${MESOS_HTTP_CORPUS_GENERATOR:-../shared/bench/gen_corpus.py}
mkdir -p "$out"
protoc -Ipb --include_imports --descriptor_set_out="$out/mesos.fds" mesos/v1/scheduler/scheduler.proto
python3 "$gen" --out "$out" --fds "$out/mesos.fds"
