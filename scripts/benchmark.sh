#!/usr/bin/env bash
# The campaign-scale benchmark (docs/performance.md). It sets up (or reuses) the bench and one site per
# size with that many fictional cases (lnb-bench-10k.localhost, lnb-bench-100k.localhost; made once, the
# 100k one takes about half an hour), serves them with gunicorn and two workers as a production bench
# does, and prints the medians of interleaved repetitions of each measure, side by side for each size.
#
#   scripts/benchmark.sh            make what is missing, then measure
#   scripts/benchmark.sh prepare    only make the sites and their data
#
# Settings: LNB_BENCHMARK_SIZES (default "10k 100k"), LNB_BENCHMARK_PORT (8010), LNB_BENCHMARK_REPEAT (5).
# It touches only the sites it made itself (marked lnb_made_by in their site_config.json).
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES="${LNB_BENCHMARK_SIZES:-10k 100k}"
PORT="${LNB_BENCHMARK_PORT:-8010}"
REPEAT="${LNB_BENCHMARK_REPEAT:-5}"

case "${1:-}" in
prepare | "") ;;
*) die "Unknown option $1. Use: scripts/benchmark.sh [prepare]" ;;
esac

ensure_services
ensure_tools
ensure_bench
link_app

SITES=()
for size in $SIZES; do
	site="lnb-bench-$size.localhost"
	only_own_site "$site"
	ensure_site "$site"
	step "Making the $size fictional cases on $site that are missing (the first time takes long)"
	bench_in "$LNB_BENCH" --site "$site" lnb-generate-data --size "$size" ||
		die "Could not make the $size cases on $site; see the output above."
	SITES+=("$site")
done
[ "${1:-}" = prepare ] && exit 0

step "Serving ${SITES[*]} with gunicorn, two workers, on port $PORT"
WEB="benchmark-web"
stop_process "$WEB"
port_free_or_die "$PORT"
WEB_LOG="$LNB_BENCH/logs/lnb-$WEB.log"
: >"$WEB_LOG"
start_process "$WEB" "$WEB_LOG" "$LNB_BENCH/env/bin/gunicorn" --chdir "$LNB_BENCH/sites" \
	--bind "127.0.0.1:$PORT" --workers 2 --timeout 600 --preload frappe.app:application
trap 'stop_process "$WEB"' EXIT

step "Measuring (medians of $REPEAT interleaved rounds)"
bench_in "$LNB_BENCH" lnb-benchmark --url "http://127.0.0.1:$PORT" --repeat "$REPEAT" \
	--server-pid-file "$(pid_file "$WEB")" "${SITES[@]}"
