#!/usr/bin/env bash
# The whole test suite: sets up (or reuses) the bench and a separate test site running this checkout,
# serves the test site for the out-of-process tests (through nginx, with the bench's realtime server), then
# runs every test under one pytest summary.
# Of the bench's sites it touches only its own (LNB_TEST_SITE, default lnb-test.localhost).
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SITE="${LNB_TEST_SITE:-lnb-test.localhost}"
PORT="${LNB_TEST_PORT:-8001}"

ensure_services
ensure_tools
ensure_browser
ensure_accessibility_checker
ensure_pdf_renderer
ensure_bench
link_app
# Every run tests a new site, as a newcomer gets it; LNB_REUSE_TEST_SITE=1 keeps the last one (quicker while
# developing, never in CI). Only a site the test command made is made anew, migrated or served: any other
# site of that name on a shared bench (the run command's, or one made by hand) is left alone.
only_own_site "$SITE"
if [ "${LNB_REUSE_TEST_SITE:-}" = 1 ]; then ensure_site "$SITE"; else ensure_site "$SITE" new; fi
quietly "Could not allow tests on $SITE." bench_in "$LNB_BENCH" --site "$SITE" set-config allow_tests true
# The suite makes far more people than Frappe's 60 new users an hour (its guard against sign-up floods,
# which would answer "Throttled"); throttle_user_limit is Frappe's own setting for that limit.
quietly "Could not raise the new-user limit on $SITE." \
	bench_in "$LNB_BENCH" --site "$SITE" set-config throttle_user_limit 5000 --parse

# python-socketio's client, for the realtime test (tests/test_realtime.py)
quietly "Could not install python-socketio's client into the bench." \
	uv pip install -q --python "$LNB_BENCH/env/bin/python" "python-socketio[client]==5.18.1"
WEB="test-web-$SITE"
trap 'stop_serving_site "$WEB" "$SITE"' EXIT
serve_site "$WEB" "$SITE" "$PORT"

step "Running the tests"
ARTIFACTS="$LNB_APP_DIR/test-artifacts"
mkdir -p "$ARTIFACTS"
cd "$LNB_APP_DIR" || die "Cannot enter $LNB_APP_DIR."
# LNB_WEB_URL is the web server behind nginx, for tests that play a proxy of their own
export LNB_SITE="$SITE" LNB_BENCH LNB_BASE_URL="http://127.0.0.1:$PORT" LNB_ADMIN_PASSWORD LNB_ARTIFACTS="$ARTIFACTS" \
	LNB_WEB_URL="http://127.0.0.1:$(internal_web_port "$PORT")"
"$LNB_BENCH/env/bin/python" -m pytest -p no:cacheprovider "$@"
