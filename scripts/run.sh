#!/usr/bin/env bash
# Quick start: a bench with Frappe version-15 and a site lnb.localhost running this checkout, served on
# http://127.0.0.1:8000 (nginx, in front of the web server and the bench's realtime server) with a background
# worker and the scheduler. Re-run after a code change to migrate and serve again; `scripts/run.sh stop`
# stops them (and nginx, the realtime server and the firewall table once no other site uses them).
#
# It prints the accounts to sign in with: Administrator, a coordinator and a System Manager (passwords from
# LNB_ADMIN_PASSWORD, LNB_COORDINATOR_PASSWORD and LNB_MANAGER_PASSWORD). `scripts/run.sh --demo` also fills
# the site with fictional demo cases in every state (made once; the demo people sign in with
# LNB_DEMO_PASSWORD).
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SITE="${LNB_SITE:-lnb.localhost}"
PORT="${LNB_PORT:-8000}"
export LNB_COORDINATOR_PASSWORD="${LNB_COORDINATOR_PASSWORD:-coordinator}"
export LNB_MANAGER_PASSWORD="${LNB_MANAGER_PASSWORD:-manager}"
export LNB_DEMO_PASSWORD="${LNB_DEMO_PASSWORD:-demo}"
DEMO=""

stop_all() {
	stop_serving_site run-web "$SITE"
	for name in worker scheduler; do stop_process "run-$name"; done
}

case "${1:-}" in
stop)
	step "Stopping the web server, worker and scheduler of $SITE"
	stop_all
	# nginx, the realtime server and the firewall table serve the whole bench: they go with the last site
	with_serving_lock stop_shared_servers_when_unused
	exit 0
	;;
--demo) DEMO=1 ;;
"") ;;
*) die "Unknown option $1. Use: scripts/run.sh [--demo | stop]" ;;
esac

ensure_services
ensure_tools
ensure_pdf_renderer
ensure_bench
link_app
ensure_site "$SITE"

step "Making the coordinator and System Manager accounts on $SITE"
quietly "Could not make the coordinator and System Manager accounts on $SITE." \
	bench_in "$LNB_BENCH" --site "$SITE" lnb-newcomer-accounts

if [ -n "$DEMO" ]; then
	step "Making fictional demo data on $SITE (once: a second run adds nothing)"
	bench_in "$LNB_BENCH" --site "$SITE" lnb-generate-data --size demo ||
		die "Could not make the demo data on $SITE; see the output above."
fi

# Casework roles and System Managers sign in with an authenticator code (docs/two-factor.md); this site
# mails no QR code, so the accounts printed below are set up for lnb-sign-in-code instead.
SIGN_IN_ACCOUNTS=(coordinator@lnb.localhost admin@lnb.localhost)
if [ -n "$DEMO" ]; then
	SIGN_IN_ACCOUNTS+=(cordelia.coordinator@example.invalid casey.casework@example.invalid
		cameron.casework@example.invalid cassidy.casework@example.invalid polly.policy@example.invalid)
fi
step "Setting up the printed accounts' second factor on $SITE"
quietly "Could not set up the second factor of the accounts on $SITE." \
	bench_in "$LNB_BENCH" --site "$SITE" lnb-sign-in-code "${SIGN_IN_ACCOUNTS[@]}"

step "Enabling the scheduler on $SITE"
quietly "Could not enable the scheduler on $SITE." bench_in "$LNB_BENCH" --site "$SITE" enable-scheduler

step "Starting the web server (behind nginx, with the realtime server), a background worker and the scheduler"
stop_all
LOGS="$LNB_BENCH/logs"
start_process run-worker "$LOGS/lnb-run-worker.log" bench worker
start_process run-scheduler "$LOGS/lnb-run-scheduler.log" bench schedule
serve_site run-web "$SITE" "$PORT"

cat <<TEXT

  Learn Not Blame casework is running.

  Desk:          http://127.0.0.1:$PORT/app
  Intake form:   http://127.0.0.1:$PORT/submit-a-case
  Sign in as:
    Coordinator:     coordinator@lnb.localhost / $LNB_COORDINATOR_PASSWORD
    System Manager:  admin@lnb.localhost / $LNB_MANAGER_PASSWORD
    Administrator:   Administrator / $LNB_ADMIN_PASSWORD
TEXT
if [ -n "$DEMO" ]; then
	cat <<TEXT

  Fictional demo data: cases in every state, reviews, systemic issues and advocacy actions. Its people
  sign in with the password $LNB_DEMO_PASSWORD:
    Coordinator:   cordelia.coordinator@example.invalid
    Caseworkers:   casey.casework@example.invalid, cameron.casework@example.invalid,
                   cassidy.casework@example.invalid
    Policy lead:   polly.policy@example.invalid
  Remove it all with: (cd $LNB_BENCH && bench --site $SITE lnb-remove-generated-data)
TEXT
else
	cat <<TEXT

  For fictional cases in every state to look at, run: scripts/run.sh --demo
TEXT
fi
cat <<TEXT

  Every account but Administrator is asked for a code after the password (two-factor sign-in). This site
  sends no mail, so get the code with:
    (cd $LNB_BENCH && bench --site $SITE lnb-sign-in-code EMAIL)
  or add --qr once to scan the account into an authenticator app (docs/two-factor.md).

  Only nginx (port $PORT) is reachable from other machines; the web server (port $(internal_web_port "$PORT")),
  the realtime server, Redis and MariaDB are closed to them (nftables table $LNB_NFT_TABLE).
  Logs are in $LOGS (lnb-run-*.log, lnb-realtime.log, lnb-nginx-*.log). Stop everything with: scripts/run.sh stop
TEXT
