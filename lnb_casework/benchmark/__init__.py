"""The campaign-scale benchmark (scripts/benchmark.sh, docs/performance.md): bench lnb-benchmark."""
