#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's test inputs: the malformed-input corpus of
# tests/all/corpus (and the inputs the fuzzers found, tests/all/corpus/fuzz), tests/data and
# assets CSVs, the built-in data sets, and models written by
# `nnviz train --save-model`. Run from anywhere; re-running adds nothing twice.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
cargo run --quiet --manifest-path "$fuzz/Cargo.toml" --example seed -- "$fuzz/corpus" >/dev/null
cp "$fuzz"/../tests/data/*.csv "$fuzz"/../assets/*.csv "$fuzz/corpus/csv/"
# The inputs the fuzzers found so far (kept as regression tests).
for target in csv model; do
    found="$fuzz/../tests/all/corpus/fuzz/$target"
    if [ -d "$found" ]; then cp "$found"/* "$fuzz/corpus/$target/"; fi
done
echo "seeded: $(ls "$fuzz/corpus/csv" | wc -l) csv, $(ls "$fuzz/corpus/model" | wc -l) model"
