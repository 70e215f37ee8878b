#!/usr/bin/env bash
# Quick start: a bench with Frappe version-15 and a site lnb.localhost running this checkout, served on
# http://127.0.0.1:8000 with a background worker and the scheduler. Re-run after a code change to migrate
# and serve again; `scripts/run.sh stop` stops the three processes.
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SITE="${LNB_SITE:-lnb.localhost}"
PORT="${LNB_PORT:-8000}"

stop_all() {
	for name in web worker scheduler; do stop_process "run-$name"; done
}

if [ "${1:-}" = "stop" ]; then
	step "Stopping the web server, worker and scheduler of $SITE"
	stop_all
	exit 0
fi

ensure_services
ensure_tools
ensure_pdf_renderer
ensure_bench
link_app
ensure_site "$SITE"

step "Enabling the scheduler on $SITE"
quietly "Could not enable the scheduler on $SITE." bench_in "$LNB_BENCH" --site "$SITE" enable-scheduler

step "Starting the web server, a background worker and the scheduler"
stop_all
port_free_or_die "$PORT"
LOGS="$LNB_BENCH/logs"
start_process run-web "$LOGS/lnb-run-web.log" bench --site "$SITE" serve --port "$PORT" --noreload
start_process run-worker "$LOGS/lnb-run-worker.log" bench worker
start_process run-scheduler "$LOGS/lnb-run-scheduler.log" bench schedule
wait_for_http "http://127.0.0.1:$PORT/api/method/ping" "$LOGS/lnb-run-web.log"

cat <<TEXT

  Learn Not Blame casework is running.

  Desk:          http://127.0.0.1:$PORT/app
  Intake form:   http://127.0.0.1:$PORT/submit-a-case
  Log in as:     Administrator / $LNB_ADMIN_PASSWORD

  Logs are in $LOGS (lnb-run-*.log). Stop everything with: scripts/run.sh stop
TEXT
