#!/bin/sh
# Whole-process timing: `iamtrace eval --format summary` against a small serde_json +
# iam-rs program (examples/iamrs_reader.rs) on the same files, best of 3 wall-clock
# runs each, with peak memory (maximum resident set size, /usr/bin/time -v).
#
#   benches/whole/run.sh [OUT_DIR]     (default: target/bench-data/whole)
#
# Builds both programs in release mode, writes the scenarios with gen.py (16,465
# identity-only requests; 50,000 requests over every policy type), then prints one
# line per program and file.
set -eu
cd "$(dirname "$0")/../.."
out=${1:-target/bench-data/whole}
mkdir -p "$out"
cargo build --release --quiet --bin iamtrace --example iamrs_reader
python3 benches/whole/gen.py "$out"

# best_of_3 LABEL FILE COMMAND...: wall seconds (best) and peak RSS (of that run).
best_of_3() {
    label=$1; file=$2; shift 2
    best=""; best_kb=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" "$file" > "$out/stdout.txt"
        read -r secs kb < "$out/time.txt"
        if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" = 1 ]; then
            best=$secs; best_kb=$kb
        fi
    done
    size=$(wc -c < "$file")
    requests=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['requests']))" "$file")
    echo "$label $(basename "$file"): $requests requests, $((size / 1024)) KiB file; best of 3 ${best} s ($(echo "$requests / $best" | bc) requests/s), peak ${best_kb} KiB ($(echo "scale=2; $best_kb * 1024 / $size" | bc)x the file)"
}

for f in "$out/identity.json" "$out/rich.json"; do
    best_of_3 "iamtrace eval --format summary" "$f" target/release/iamtrace eval --format summary
    best_of_3 "serde_json + iam-rs (identity policies only)" "$f" target/release/examples/iamrs_reader
done
