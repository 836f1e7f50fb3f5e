#!/usr/bin/env bash
# (Re)generates the benchmark corpus: a deterministic, realistic SUBSCRIBE
# stream (64 MiB of JSON payload, the same events in protobuf) written by the
# generator in benches/support/corpus.rs with the library's own codecs. The
# benches generate it by themselves when it is missing; this forces a fresh one.
#   usage: benches/make-corpus.sh [OUT_DIR [MIB [SEED]]]   (default target/bench-corpus 64 1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-corpus}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cargo bench --bench decode -- --make-corpus "$out" "${2:-64}" "${3:-1}"
