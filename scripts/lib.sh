# shellcheck shell=bash
# Shared set-up for scripts/run.sh and scripts/test.sh. Sourced, not run.
#
# Every step is idempotent and says what it is doing; a failed step stops with a clear message.
# Settings (all optional):
#   LNB_BENCH             where the bench lives (default: ~/lnb-bench)
#   FRAPPE_PATH           a local git checkout of Frappe's version-15 branch (default: upstream git)
#   FRAPPE_BRANCH         the Frappe branch to use (default: version-15)
#   AIR_DATEPICKER_PATH   a local git checkout of frappe/air-datepicker, for machines without git hosting
#   LNB_DB_HOST, LNB_DB_PORT                  MariaDB (default: 127.0.0.1, 3306)
#   LNB_DB_ROOT_USER, LNB_DB_ROOT_PASSWORD    a MariaDB account that may create users (default: root, empty)
#   LNB_DB_USER_HOST      "%" when MariaDB runs elsewhere, e.g. in a container (default: localhost)
#   LNB_REDIS_URL         the Redis server for cache, queue and socket.io (default: redis://127.0.0.1:6379)
#   LNB_ADMIN_PASSWORD    the Administrator password of the sites this creates (default: admin)
#   LNB_CHROMIUM          the Chromium (or Chrome) the browser tests drive (default: /usr/bin/chromium)

set -euo pipefail

LNB_APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LNB_BENCH="${LNB_BENCH:-$HOME/lnb-bench}"
FRAPPE_BRANCH="${FRAPPE_BRANCH:-version-15}"
LNB_DB_HOST="${LNB_DB_HOST:-127.0.0.1}"
LNB_DB_PORT="${LNB_DB_PORT:-3306}"
LNB_DB_ROOT_USER="${LNB_DB_ROOT_USER:-root}"
LNB_DB_ROOT_PASSWORD="${LNB_DB_ROOT_PASSWORD:-}"
LNB_DB_USER_HOST="${LNB_DB_USER_HOST:-localhost}"
LNB_REDIS_URL="${LNB_REDIS_URL:-redis://127.0.0.1:6379}"
LNB_ADMIN_PASSWORD="${LNB_ADMIN_PASSWORD:-admin}"
LNB_TOOLS="${LNB_TOOLS:-$HOME/.local/lnb-tools}"
LNB_CHROMIUM="${LNB_CHROMIUM:-/usr/bin/chromium}"
LNB_DB_ADMIN_USER="lnb_bench_admin"
LNB_DB_ADMIN_FILE="$LNB_BENCH/config/lnb-db-admin"

# Bench's own env is where pytest, flit and the app go; the tools venv holds bench and uv.
export PATH="$LNB_TOOLS/bin:$PATH"
export CI="${CI:-}"
# The browser tests launch this browser themselves; Playwright never downloads one.
export LNB_CHROMIUM

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
	printf '\n\033[31mERROR: %s\033[0m\n' "$*" >&2
	exit 1
}

# Runs a command quietly; on failure shows the end of its output and stops with the given message.
quietly() {
	local message="$1"
	shift
	local log
	log="$(mktemp)"
	if ! "$@" >"$log" 2>&1; then
		tr '\r' '\n' <"$log" | grep -v '^Updating DocTypes' | tail -n 40 >&2
		rm -f "$log"
		die "$message"
	fi
	rm -f "$log"
}

is_debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

redis_host_port() {
	local rest="${LNB_REDIS_URL#redis://}"
	rest="${rest%%/*}"
	rest="${rest##*@}"
	REDIS_HOST="${rest%%:*}"
	REDIS_PORT="${rest##*:}"
	[ "$REDIS_PORT" != "$rest" ] || REDIS_PORT=6379
}

redis_answers() {
	python3 - "$REDIS_HOST" "$REDIS_PORT" <<'PY'
import socket, sys
try:
	with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3) as s:
		s.sendall(b"PING\r\n")
		sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
	sys.exit(1)
PY
}

mariadb_root() {
	MYSQL_PWD="$LNB_DB_ROOT_PASSWORD" mariadb --protocol=TCP -h "$LNB_DB_HOST" -P "$LNB_DB_PORT" \
		-u "$LNB_DB_ROOT_USER" "$@" 2>/dev/null ||
		{ [ -z "$LNB_DB_ROOT_PASSWORD" ] && [ "$(id -u)" = 0 ] && mariadb -u root "$@"; }
}

ensure_services() {
	step "Checking MariaDB and Redis"
	if ! command -v mariadb >/dev/null; then
		if is_debian_root; then
			note "Installing the MariaDB server and client from Debian's packages"
			quietly "Could not install MariaDB with apt-get." apt-get install -y -q mariadb-server mariadb-client
		else
			die "The MariaDB client 'mariadb' is missing. Install MariaDB 10.6 or newer (apt-get install mariadb-server)."
		fi
	fi
	if ! mariadb_root -e "SELECT 1" >/dev/null; then
		if is_debian_root && command -v mariadbd >/dev/null; then
			note "Starting MariaDB"
			start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
			for _ in $(seq 30); do mariadb_root -e "SELECT 1" >/dev/null && break; sleep 1; done
		fi
		mariadb_root -e "SELECT 1" >/dev/null ||
			die "MariaDB does not answer on $LNB_DB_HOST:$LNB_DB_PORT as $LNB_DB_ROOT_USER. Start it, or set LNB_DB_ROOT_USER and LNB_DB_ROOT_PASSWORD."
	fi
	note "MariaDB answers on $LNB_DB_HOST:$LNB_DB_PORT"

	redis_host_port
	if ! redis_answers; then
		if is_debian_root; then
			command -v redis-server >/dev/null ||
				quietly "Could not install Redis with apt-get." apt-get install -y -q redis-server
			note "Starting Redis on $REDIS_HOST:$REDIS_PORT"
			mkdir -p /var/lib/redis /var/log/redis
			redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
				--dir /var/lib/redis --logfile /var/log/redis/lnb.log >/dev/null
			for _ in $(seq 20); do redis_answers && break; sleep 0.5; done
		fi
		redis_answers || die "Redis does not answer at $LNB_REDIS_URL. Start it, or set LNB_REDIS_URL."
	fi
	note "Redis answers at $LNB_REDIS_URL"
}

ensure_tools() {
	step "Checking bench, uv, Node and yarn"
	command -v python3 >/dev/null || die "python3 is missing. Install Python 3.10 or 3.11."
	command -v git >/dev/null || die "git is missing. Install git."
	command -v node >/dev/null || die "Node.js is missing. Install Node.js 18 or 20."
	if [ ! -x "$LNB_TOOLS/bin/bench" ] || [ ! -x "$LNB_TOOLS/bin/uv" ]; then
		note "Installing frappe-bench and uv into $LNB_TOOLS"
		quietly "Could not create a Python virtual environment at $LNB_TOOLS." python3 -m venv "$LNB_TOOLS"
		quietly "Could not install frappe-bench and uv from PyPI." \
			"$LNB_TOOLS/bin/pip" install -q "frappe-bench>=5.22" uv
	fi
	if ! command -v yarn >/dev/null; then
		note "Installing yarn with npm"
		quietly "Could not install yarn (npm install -g yarn). Install yarn 1.x yourself." npm install -g yarn
	fi
	note "bench $(bench --version 2>/dev/null), $(uv --version), node $(node --version), yarn $(yarn --version)"
}

# The browser tests drive this browser; only the test command needs it.
ensure_browser() {
	step "Checking the browser for the browser tests"
	if [ ! -x "$LNB_CHROMIUM" ]; then
		if is_debian_root && [ "$LNB_CHROMIUM" = /usr/bin/chromium ]; then
			if ! apt-cache show chromium >/dev/null 2>&1; then
				note "Updating apt's package lists, which do not list Chromium yet"
				quietly "Could not update apt's package lists (apt-get update)." apt-get update -q
			fi
			note "Installing Chromium from Debian's packages, for the browser tests"
			quietly "Could not install Chromium with apt-get (apt-get install chromium)." \
				apt-get install -y -q --no-install-recommends chromium
		fi
		[ -x "$LNB_CHROMIUM" ] ||
			die "The browser tests need Chromium or Chrome at $LNB_CHROMIUM, which is missing. Install it (apt-get install chromium), or set LNB_CHROMIUM to the browser's path."
	fi
	note "$("$LNB_CHROMIUM" --version 2>/dev/null || echo "a browser of unknown version") at $LNB_CHROMIUM"
}

# The accessibility tests run axe-core, the engine GOV.UK's own tests use, at this exact version from the npm
# registry; once installed it needs no network.
AXE_CORE_VERSION="4.14.1"
ensure_accessibility_checker() {
	step "Checking axe-core $AXE_CORE_VERSION for the accessibility tests"
	local prefix="$LNB_TOOLS/node"
	LNB_AXE_CORE="$prefix/node_modules/axe-core/axe.min.js"
	if [ "$(node -p "require('$prefix/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_CORE_VERSION" ]; then
		mkdir -p "$prefix"
		quietly "Could not install axe-core $AXE_CORE_VERSION from the npm registry (npm install axe-core)." \
			npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
			"axe-core@$AXE_CORE_VERSION"
	fi
	[ -f "$LNB_AXE_CORE" ] || die "axe-core $AXE_CORE_VERSION is not at $LNB_AXE_CORE after installing it."
	export LNB_AXE_CORE
	note "axe-core $AXE_CORE_VERSION at $LNB_AXE_CORE"
}

# Frappe 15 makes PDFs (a print's PDF button, the learning summary) with wkhtmltopdf.
ensure_pdf_renderer() {
	step "Checking the PDF renderer (wkhtmltopdf)"
	if ! command -v wkhtmltopdf >/dev/null; then
		if is_debian_root; then
			if ! apt-cache show wkhtmltopdf >/dev/null 2>&1; then
				note "Updating apt's package lists, which do not list wkhtmltopdf yet"
				quietly "Could not update apt's package lists (apt-get update)." apt-get update -q
			fi
			note "Installing wkhtmltopdf from Debian's packages, for PDFs"
			quietly "Could not install wkhtmltopdf with apt-get (apt-get install wkhtmltopdf)." \
				apt-get install -y -q wkhtmltopdf
		fi
		command -v wkhtmltopdf >/dev/null ||
			die "PDFs need wkhtmltopdf, which is missing. Install it (apt-get install wkhtmltopdf)."
	fi
	note "$(wkhtmltopdf --version 2>/dev/null || echo "wkhtmltopdf of unknown version") at $(command -v wkhtmltopdf)"
}

# Bench refuses to run as root unless the common_site_config of the folder it runs in names root.
bench_in() {
	local dir="$1"
	shift
	(cd "$dir" && bench "$@")
}

# Frappe's package.json takes air-datepicker from GitHub; without git hosting, yarn's offline mirror
# serves a tarball of the locked commit, named as yarn.lock's address names it.
prepare_yarn_mirror() {
	[ -n "${AIR_DATEPICKER_PATH:-}" ] || return 0
	local mirror="$LNB_BENCH.yarn-mirror"
	local commit
	commit="$(git -C "$FRAPPE_PATH" show "$FRAPPE_BRANCH:yarn.lock" |
		sed -n 's#.*codeload.github.com/frappe/air-datepicker/tar.gz/\([0-9a-f]*\).*#\1#p' | head -n 1)"
	[ -n "$commit" ] || die "Could not find air-datepicker's locked commit in Frappe's yarn.lock."
	mkdir -p "$mirror"
	if [ ! -s "$mirror/$commit" ]; then
		note "Packing air-datepicker $commit from $AIR_DATEPICKER_PATH for yarn's offline mirror"
		git -C "$AIR_DATEPICKER_PATH" archive --format=tar.gz --prefix="air-datepicker-$commit/" "$commit" \
			>"$mirror/$commit" || die "Commit $commit is not in $AIR_DATEPICKER_PATH."
	fi
	export YARN_YARN_OFFLINE_MIRROR="$mirror" YARN_YARN_OFFLINE_MIRROR_PRUNING=false
}

ensure_bench() {
	if [ -f "$LNB_BENCH/apps/frappe/frappe/__init__.py" ] && [ -x "$LNB_BENCH/env/bin/python" ]; then
		step "Reusing the bench at $LNB_BENCH"
	else
		[ ! -e "$LNB_BENCH" ] || [ -z "$(ls -A "$LNB_BENCH")" ] ||
			die "$LNB_BENCH exists but is not a complete bench. Move it away or set LNB_BENCH to another folder."
		step "Creating a bench with Frappe $FRAPPE_BRANCH at $LNB_BENCH (this takes a few minutes)"
		local source="https://github.com/frappe/frappe"
		local staging="$LNB_BENCH.init"
		rm -rf "$staging"
		mkdir -p "$staging/sites"
		echo "{\"frappe_user\": \"$(id -un)\"}" >"$staging/sites/common_site_config.json"
		if [ -n "${FRAPPE_PATH:-}" ]; then
			git -C "$FRAPPE_PATH" rev-parse --verify -q "$FRAPPE_BRANCH^{commit}" >/dev/null ||
				die "FRAPPE_PATH=$FRAPPE_PATH is not a git checkout with a $FRAPPE_BRANCH branch."
			prepare_yarn_mirror
			# bench names the app after the folder it clones from, so it must be called "frappe".
			note "Taking Frappe from $FRAPPE_PATH"
			quietly "Could not clone Frappe from $FRAPPE_PATH." \
				git clone -q --branch "$FRAPPE_BRANCH" "$FRAPPE_PATH" "$staging/frappe"
			source="$staging/frappe"
		else
			note "Taking Frappe from $source (set FRAPPE_PATH to use a local checkout)"
		fi
		mkdir -p "$(dirname "$LNB_BENCH")"
		quietly "bench init failed; see the output above. Remove $LNB_BENCH before trying again." \
			bench_in "$staging" init "$LNB_BENCH" --frappe-path "$source" --frappe-branch "$FRAPPE_BRANCH" \
			--skip-redis-config-generation --no-procfile --no-backups --python "$(command -v python3)"
		rm -rf "$staging"
	fi
	configure_bench
}

set_bench_config() {
	bench_in "$LNB_BENCH" set-config -g "$1" "$2" >/dev/null || die "Could not set $1 in common_site_config.json."
}

configure_bench() {
	step "Configuring the bench for this machine"
	set_bench_config frappe_user "$(id -un)"
	for key in redis_cache redis_queue redis_socketio; do set_bench_config "$key" "$LNB_REDIS_URL"; done
	set_bench_config db_host "$LNB_DB_HOST"
	bench_in "$LNB_BENCH" set-config -g db_port "$LNB_DB_PORT" --parse >/dev/null
	# One bench serves two sites (run and test); each server is started for its own site.
	python3 - "$LNB_BENCH/sites/common_site_config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
if config.pop("default_site", None) is not None:
	json.dump(config, open(path, "w"), indent=1, sort_keys=True)
PY
	# Frappe 15's Google client imports pkg_resources, which setuptools 81 dropped.
	# Playwright drives the system's Chromium (LNB_CHROMIUM); it never downloads browsers of its own.
	# The tests also need playwright and a real SMTP server (aiosmtpd).
	quietly "Could not install setuptools<81 and the test tools into the bench." \
		uv pip install -q --python "$LNB_BENCH/env/bin/python" "setuptools<81" "pytest~=8.3" "requests~=2.32" \
		"playwright~=1.65" "aiosmtpd~=1.4" "hypothesis~=6.170"
	ensure_db_admin
	note "Redis: $LNB_REDIS_URL; MariaDB admin: $LNB_DB_ADMIN_USER"
}

# Frappe asks for the MariaDB root password on a terminal when it is empty, and CI has none,
# so bench gets an admin account of its own with a generated password kept inside the bench.
ensure_db_admin() {
	if [ -f "$LNB_DB_ADMIN_FILE" ]; then
		DB_ADMIN_PASSWORD="$(cat "$LNB_DB_ADMIN_FILE")"
		if MYSQL_PWD="$DB_ADMIN_PASSWORD" mariadb --protocol=TCP -h "$LNB_DB_HOST" -P "$LNB_DB_PORT" \
			-u "$LNB_DB_ADMIN_USER" -e "SELECT 1" >/dev/null 2>&1; then
			return 0
		fi
	fi
	note "Creating the MariaDB account $LNB_DB_ADMIN_USER for bench"
	DB_ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
	local sql="" hosts="localhost 127.0.0.1 ::1"
	[ "$LNB_DB_USER_HOST" = localhost ] || hosts="$LNB_DB_USER_HOST"
	for host in $hosts; do
		sql+="CREATE USER IF NOT EXISTS '$LNB_DB_ADMIN_USER'@'$host';"
		sql+="ALTER USER '$LNB_DB_ADMIN_USER'@'$host' IDENTIFIED BY '$DB_ADMIN_PASSWORD';"
		sql+="GRANT ALL PRIVILEGES ON *.* TO '$LNB_DB_ADMIN_USER'@'$host' WITH GRANT OPTION;"
	done
	mariadb_root -e "$sql FLUSH PRIVILEGES;" ||
		die "Could not create the MariaDB account $LNB_DB_ADMIN_USER (set LNB_DB_ROOT_USER and LNB_DB_ROOT_PASSWORD)."
	mkdir -p "$(dirname "$LNB_DB_ADMIN_FILE")"
	(umask 077 && printf '%s' "$DB_ADMIN_PASSWORD" >"$LNB_DB_ADMIN_FILE")
}

add_to_apps_txt() {
	local apps="$LNB_BENCH/sites/apps.txt"
	grep -qx lnb_casework "$apps" && return 0
	[ -z "$(tail -c 1 "$apps")" ] || echo >>"$apps"
	echo lnb_casework >>"$apps"
}

# The bench always runs the code of the checkout these scripts belong to.
link_app() {
	local linked="$LNB_BENCH/apps/lnb_casework"
	local current=""
	[ -L "$linked" ] && current="$(readlink -f "$linked")"
	if [ "$current" = "$LNB_APP_DIR" ] && grep -qx lnb_casework "$LNB_BENCH/sites/apps.txt"; then
		step "The bench already runs this checkout ($LNB_APP_DIR)"
		return 0
	fi
	step "Linking this checkout ($LNB_APP_DIR) into the bench"
	if [ -e "$linked" ] && [ ! -L "$linked" ]; then
		die "$linked is a folder, not a link to a checkout. Remove it (bench remove-app lnb_casework) and re-run."
	fi
	rm -f "$linked"
	if [ -z "$current" ]; then
		quietly "bench get-app --soft-link failed." bench_in "$LNB_BENCH" get-app --soft-link "$LNB_APP_DIR"
	else
		ln -s "$LNB_APP_DIR" "$linked"
		quietly "Could not install the app into the bench's Python environment." \
			uv pip install -q --python "$LNB_BENCH/env/bin/python" -e "$linked"
		add_to_apps_txt
	fi
	quietly "Could not build the app's assets." bench_in "$LNB_BENCH" build --app lnb_casework
}

site_answers() { bench_in "$LNB_BENCH" --site "$1" list-apps >/dev/null 2>&1; }

# What a site made by ensure_site keeps in its site_config.json as lnb_made_by: the command that made it.
# Not the checkout: a fresh clone's test command (CI's) remakes the test site an earlier clone made.
made_by() { basename "$0"; }

# only_own_site SITE: stops unless SITE is missing or was made by this command (the test command or the
# benchmark), so that a command that remakes, migrates or serves its own site touches no one else's.
# A test site made before sites were marked (one that allows tests and names no maker) is taken as ours.
only_own_site() {
	local site="$1" config="$LNB_BENCH/sites/$1/site_config.json" maker
	[ -f "$config" ] || return 0
	maker="$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(c.get("lnb_made_by") or ("" if c.get("allow_tests") else "another command"))' "$config")" ||
		die "Could not read $config."
	if [ -z "$maker" ]; then
		quietly "Could not mark $site as made by $(made_by)." \
			bench_in "$LNB_BENCH" --site "$site" set-config lnb_made_by "$(made_by)"
	elif [ "${maker%%:*}" != "$(made_by)" ]; then
		die "The site $site was not made by $(made_by) (made by: $maker), so it is left alone. Choose a site name of your own."
	fi
}

# ensure_site SITE [new]: creates the site if it is missing (or its database is gone, or "new" is given:
# then it is made anew, as a newcomer would get it), installs the app, migrates.
ensure_site() {
	local site="$1" anew="${2:-}"
	local db_user_scope=()
	[ "$LNB_DB_USER_HOST" = localhost ] || db_user_scope=(--no-mariadb-socket)
	if [ -z "$anew" ] && [ -f "$LNB_BENCH/sites/$site/site_config.json" ] && site_answers "$site"; then
		step "Reusing the site $site"
	else
		step "Creating the site $site${anew:+ anew}"
		# new-site --force keeps an old site's folder (its files among them): a new site starts empty
		rm -rf "${LNB_BENCH:?}/sites/$site"
		quietly "bench new-site $site failed." bench_in "$LNB_BENCH" new-site "$site" --force \
			--db-root-username "$LNB_DB_ADMIN_USER" --db-root-password "$DB_ADMIN_PASSWORD" \
			--admin-password "$LNB_ADMIN_PASSWORD" "${db_user_scope[@]}"
		quietly "Could not note in $site's site_config.json which command made it." \
			bench_in "$LNB_BENCH" --site "$site" set-config lnb_made_by "$(made_by)"
	fi
	quietly "bench clear-cache failed on $site." bench_in "$LNB_BENCH" --site "$site" clear-cache
	local installed_apps
	installed_apps="$(bench_in "$LNB_BENCH" --site "$site" list-apps 2>/dev/null)"
	if ! grep -q '^lnb_casework ' <<<"$installed_apps"; then
		step "Installing lnb_casework on $site"
		quietly "install-app lnb_casework failed on $site." \
			bench_in "$LNB_BENCH" --site "$site" install-app lnb_casework
	fi
	step "Migrating $site"
	quietly "bench migrate failed on $site." bench_in "$LNB_BENCH" --site "$site" migrate
	complete_setup_wizard "$site"
	# Frappe sends tracebacks (code, paths, SQL) in error responses unless System Settings say otherwise.
	quietly "Could not turn off tracebacks in error responses on $site." bench_in "$LNB_BENCH" --site "$site" \
		execute frappe.db.set_single_value --args '["System Settings", "allow_error_traceback", 0]'
}

# Until Frappe's set-up wizard has run, the desk sends every user who signs in to it. Run it once for a UK
# organisation (English, Europe/London, UK date format). The wizard turns the scheduler on; each command
# decides that for itself afterwards (the test site keeps it off).
complete_setup_wizard() {
	local site="$1" done
	done="$(bench_in "$LNB_BENCH" --site "$site" execute frappe.db.get_single_value \
		--args '["System Settings", "setup_complete"]' 2>/dev/null | tail -n 1)"
	[ "$done" = 1 ] && return 0
	step "Completing Frappe's set-up wizard on $site (United Kingdom, English, Europe/London)"
	quietly "Frappe's set-up wizard failed on $site." bench_in "$LNB_BENCH" --site "$site" execute \
		frappe.desk.page.setup_wizard.setup_wizard.setup_complete \
		--kwargs '{"args": {"language": "English", "country": "United Kingdom", "timezone": "Europe/London", "currency": "GBP"}}'
	quietly "Could not turn the scheduler off on $site." bench_in "$LNB_BENCH" --site "$site" disable-scheduler
}

pid_file() { echo "$LNB_BENCH/config/pids/lnb-$1.pid"; }

stop_process() {
	local file
	file="$(pid_file "$1")"
	if [ -f "$file" ]; then
		local pid
		pid="$(cat "$file")"
		if kill -0 "$pid" 2>/dev/null; then
			kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
			for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
			kill -9 -- "-$pid" 2>/dev/null || true
		fi
		rm -f "$file"
	fi
}

# start_process NAME LOGFILE COMMAND...: starts COMMAND in its own process group, remembered by NAME.
start_process() {
	local name="$1" log="$2"
	shift 2
	stop_process "$name"
	mkdir -p "$(dirname "$(pid_file "$name")")"
	(cd "$LNB_BENCH" && without_lock exec setsid "$@") >>"$log" 2>&1 &
	echo $! >"$(pid_file "$name")"
}

port_free_or_die() {
	if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))) != 0)" "$1"; then
		die "Port $1 is already in use by another program. Stop it, or choose another port."
	fi
}

# wait_for_http URL LOGFILE: waits until the web server answers.
wait_for_http() {
	local url="$1" log="$2"
	for _ in $(seq 120); do
		if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
			return 0
		fi
		sleep 0.5
	done
	tail -n 30 "$log" >&2
	die "The web server did not answer at $url within a minute; its log is $log."
}

# ---- Serving behind nginx (docs/realtime.md)
#
# One nginx and one realtime (socket.io) server serve every site of the bench; each command adds its own
# site's server block, on the site's public port, and takes it away when it is done. The web servers and
# the realtime server listen on internal ports that an nftables table of the app's own closes to anything
# but loopback, so the proxy, which sets Origin, Host, X-Frappe-Site-Name and X-Forwarded-For itself, is
# the only way in.
LNB_NGINX_DIR="$LNB_BENCH/config/lnb-nginx"
LNB_SERVING_LOCK="$LNB_BENCH/config/lnb-serving.lock"
LNB_NFT_TABLE="lnb_casework"
LNB_NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
# Redis and MariaDB, whatever LNB_REDIS_URL and LNB_DB_PORT say: the ports every bench machine has them on
LNB_SERVICE_PORTS="6379 3306"

# The internal port of the web server whose public (nginx) port is the argument.
internal_web_port() { echo $(($1 + 10000)); }

realtime_port() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("socketio_port", 9000))' \
		"$LNB_BENCH/sites/common_site_config.json"
}

# as_root COMMAND...: runs COMMAND as root (directly, or through sudo without a password); fails otherwise.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}

# with_serving_lock COMMAND...: runs COMMAND while no other command of the bench changes what is served.
# The servers it starts must not inherit the lock (start_process and nginx_ close it), or it would be held
# as long as they run.
LNB_LOCK_FD=""
with_serving_lock() {
	local status=0
	# held already (a step under the lock failed, and the exit trap tidies up)
	if [ -n "$LNB_LOCK_FD" ]; then
		"$@"
		return
	fi
	mkdir -p "$(dirname "$LNB_SERVING_LOCK")"
	exec {LNB_LOCK_FD}>"$LNB_SERVING_LOCK"
	flock "$LNB_LOCK_FD"
	"$@" || status=$?
	exec {LNB_LOCK_FD}>&-
	LNB_LOCK_FD=""
	return "$status"
}

# Runs a command with the serving lock's file closed.
without_lock() {
	if [ -n "$LNB_LOCK_FD" ]; then "$@" {LNB_LOCK_FD}>&-; else "$@"; fi
}

ensure_nginx() {
	step "Checking nginx, the reverse proxy in front of the web and realtime servers"
	if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
		if is_debian_root; then
			if ! apt-cache show nginx >/dev/null 2>&1; then
				note "Updating apt's package lists, which do not list nginx yet"
				quietly "Could not update apt's package lists (apt-get update)." apt-get update -q
			fi
			note "Installing nginx from Debian's packages"
			quietly "Could not install nginx with apt-get (apt-get install nginx)." apt-get install -y -q nginx
		fi
	fi
	LNB_NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
	[ -x "$LNB_NGINX" ] || die "nginx is missing: the sites are served only through it. Install it (apt-get install nginx)."
	note "$("$LNB_NGINX" -v 2>&1) at $LNB_NGINX"
}

# The firewall: connections to the internal ports from anything but loopback are dropped.
ensure_firewall() {
	local web_port="$1"
	step "Closing the internal ports to everything but this machine (nftables table $LNB_NFT_TABLE)"
	[ "$(uname -s)" = Linux ] ||
		die "The internal ports can be closed only on Linux (nftables). Serve the site behind a firewall of your own, as the README's production notes say."
	if ! command -v nft >/dev/null && [ ! -x /usr/sbin/nft ]; then
		printf '\n\033[33mWARNING: nft (nftables) is missing, so the web server (%s), the realtime server (%s), Redis and MariaDB can be reached from other machines on this network.\033[0m\n' \
			"$web_port" "$(realtime_port)" >&2
		return 0
	fi
	local nft
	nft="$(command -v nft || echo /usr/sbin/nft)"
	as_root "$nft" list tables >/dev/null 2>&1 ||
		die "Closing the internal ports needs root (nft). Run this as root, or with passwordless sudo."
	if ! as_root "$nft" list table inet "$LNB_NFT_TABLE" >/dev/null 2>&1; then
		as_root "$nft" -f - <<NFT || die "Could not add the nftables table $LNB_NFT_TABLE."
table inet $LNB_NFT_TABLE {
	set internal_ports {
		type inet_service
	}
	chain input {
		type filter hook input priority filter - 10; policy accept;
		iif "lo" accept
		tcp dport @internal_ports drop
	}
}
NFT
	fi
	local ports
	ports="$(echo "$web_port $(realtime_port) $LNB_SERVICE_PORTS" | tr ' ' ',')"
	as_root "$nft" add element inet "$LNB_NFT_TABLE" internal_ports "{ $ports }" ||
		die "Could not add the ports $ports to the nftables table $LNB_NFT_TABLE."
	note "Only this machine reaches ports $ports"
}

remove_firewall() {
	local nft
	nft="$(command -v nft || echo /usr/sbin/nft)"
	[ -x "$nft" ] || return 0
	if as_root "$nft" list table inet "$LNB_NFT_TABLE" >/dev/null 2>&1; then
		as_root "$nft" delete table inet "$LNB_NFT_TABLE" || die "Could not remove the nftables table $LNB_NFT_TABLE."
	fi
}

realtime_answers() {
	python3 -c "import sys, urllib.request; sys.exit(b'\"sid\"' not in urllib.request.urlopen(sys.argv[1], timeout=2).read())" \
		"http://127.0.0.1:$(realtime_port)/socket.io/?EIO=4&transport=polling" 2>/dev/null
}

# The bench's realtime server, started once for all its sites and left running for the others.
ensure_realtime() {
	step "Checking the realtime server (socket.io, port $(realtime_port), for every site of the bench)"
	if realtime_answers; then
		note "The realtime server answers"
		return 0
	fi
	local log="$LNB_BENCH/logs/lnb-realtime.log"
	mkdir -p "$LNB_BENCH/logs"
	start_process realtime "$log" node apps/frappe/socketio.js
	for _ in $(seq 40); do realtime_answers && break; sleep 0.25; done
	realtime_answers || {
		tail -n 20 "$log" >&2
		die "The realtime server did not answer on port $(realtime_port); its log is $log."
	}
	note "Started the realtime server; its log is $log"
}

nginx_() { without_lock "$LNB_NGINX" -p "$LNB_NGINX_DIR" -e "$LNB_BENCH/logs/lnb-nginx-error.log" -c "$LNB_NGINX_DIR/nginx.conf" "$@"; }

nginx_running() {
	[ -f "$LNB_NGINX_DIR/nginx.pid" ] && kill -0 "$(cat "$LNB_NGINX_DIR/nginx.pid")" 2>/dev/null
}

write_nginx_config() {
	mkdir -p "$LNB_NGINX_DIR/sites" "$LNB_NGINX_DIR/temp" "$LNB_BENCH/logs"
	local user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root;"
	cat >"$LNB_NGINX_DIR/nginx.conf" <<CONF
# Written by lnb_casework's scripts/lib.sh: one nginx for the bench, a server block per site in sites/.
$user_line
worker_processes 1;
pid $LNB_NGINX_DIR/nginx.pid;
error_log $LNB_BENCH/logs/lnb-nginx-error.log;
events {
	worker_connections 1024;
}
http {
	access_log $LNB_BENCH/logs/lnb-nginx-access.log;
	client_body_temp_path $LNB_NGINX_DIR/temp/body;
	proxy_temp_path $LNB_NGINX_DIR/temp/proxy;
	fastcgi_temp_path $LNB_NGINX_DIR/temp/fastcgi;
	uwsgi_temp_path $LNB_NGINX_DIR/temp/uwsgi;
	scgi_temp_path $LNB_NGINX_DIR/temp/scgi;
	types_hash_max_size 2048;
	server_tokens off;
	include $LNB_NGINX_DIR/sites/*.conf;
}
CONF
}

# site_block SITE PUBLIC_URL PUBLIC_PORT WEB_PORT: the site's server block. Everything the servers behind
# it trust is set here, never passed on from the client: the realtime server is told the site's own URL
# as Origin (it asks that address who the user is) and the site's name; the web server, the address of
# the connection as X-Forwarded-For.
site_block() {
	local site="$1" url="$2" port="$3" web_port="$4" host
	host="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname)' "$url")"
	cat <<CONF
# $site, written by lnb_casework's scripts/lib.sh
server {
	listen $port;
	server_name _;
	client_max_body_size 50m;
	proxy_buffer_size 128k;
	proxy_buffers 4 256k;
	proxy_busy_buffers_size 256k;

	location /socket.io {
		proxy_http_version 1.1;
		proxy_set_header Upgrade \$http_upgrade;
		proxy_set_header Connection "upgrade";
		proxy_set_header X-Frappe-Site-Name $site;
		proxy_set_header Origin $url;
		proxy_set_header Host $host;
		proxy_set_header X-Forwarded-For \$remote_addr;
		proxy_pass http://127.0.0.1:$(realtime_port);
	}

	location / {
		proxy_http_version 1.1;
		proxy_set_header X-Forwarded-For \$remote_addr;
		proxy_set_header X-Forwarded-Proto \$scheme;
		proxy_set_header X-Frappe-Site-Name $site;
		proxy_set_header Host \$http_host;
		proxy_read_timeout 300;
		proxy_redirect off;
		proxy_pass http://127.0.0.1:$web_port;
	}
}
CONF
}

reload_nginx() {
	quietly "nginx refused its configuration ($LNB_NGINX_DIR/nginx.conf)." nginx_ -t
	if nginx_running; then
		kill -HUP "$(cat "$LNB_NGINX_DIR/nginx.pid")"
	else
		quietly "nginx did not start; its log is $LNB_BENCH/logs/lnb-nginx-error.log." \
			nginx_
	fi
}

# add_site_to_nginx SITE PUBLIC_URL PUBLIC_PORT WEB_PORT
add_site_to_nginx() {
	local site="$1" port="$3" block="$LNB_NGINX_DIR/sites/$1.conf"
	write_nginx_config
	# a block left by a run that ended without tidying up holds the port itself
	[ -f "$block" ] && grep -q "listen $port;" "$block" || port_free_or_die "$port"
	site_block "$@" >"$block.new" && mv "$block.new" "$block"
	reload_nginx
}

remove_site_from_nginx() {
	local block="$LNB_NGINX_DIR/sites/$1.conf"
	[ -f "$block" ] || return 0
	rm -f "$block"
	nginx_running && kill -HUP "$(cat "$LNB_NGINX_DIR/nginx.pid")"
	return 0
}

# Stops nginx and the realtime server once no site of the bench is served through them.
stop_shared_servers_when_unused() {
	compgen -G "$LNB_NGINX_DIR/sites/*.conf" >/dev/null && return 0
	if nginx_running; then nginx_ -s quit || true; fi
	stop_process realtime
	remove_firewall
}

# The site's public address, in its site config: Frappe builds every link (in mail too) from host_name,
# never from the request's Host. Behind the one proxy the address it saw is the client's.
configure_site_for_proxy() {
	local site="$1" url="$2"
	quietly "Could not set host_name on $site." bench_in "$LNB_BENCH" --site "$site" set-config host_name "$url"
	quietly "Could not set lnb_trusted_proxy_count on $site." \
		bench_in "$LNB_BENCH" --site "$site" set-config lnb_trusted_proxy_count 1 --parse
}

# serve_site NAME SITE PUBLIC_PORT: serves SITE through nginx on PUBLIC_PORT, its web server (remembered by
# NAME) on the internal port, the bench's realtime server behind the same proxy.
serve_site() {
	local name="$1" site="$2" port="$3" web_port url
	web_port="$(internal_web_port "$port")"
	url="http://127.0.0.1:$port"
	configure_site_for_proxy "$site" "$url"
	step "Serving $site at $url (nginx), its web server on internal port $web_port"
	SERVE_LOG="$LNB_BENCH/logs/lnb-$name.log"
	stop_process "$name"
	port_free_or_die "$web_port"
	: >"$SERVE_LOG"
	start_process "$name" "$SERVE_LOG" bench --site "$site" serve --port "$web_port" --noreload
	wait_for_http "http://127.0.0.1:$web_port/api/method/ping" "$SERVE_LOG"
	with_serving_lock serve_shared_parts "$site" "$url" "$port" "$web_port"
	wait_for_http "$url/api/method/ping" "$LNB_BENCH/logs/lnb-nginx-error.log"
}

# The parts every site shares, run under the serving lock by serve_site.
serve_shared_parts() {
	local site="$1" url="$2" port="$3" web_port="$4"
	ensure_nginx
	ensure_firewall "$web_port"
	ensure_realtime
	add_site_to_nginx "$site" "$url" "$port" "$web_port"
}

# stop_serving_site NAME SITE: takes the site out of nginx and stops its web server.
stop_serving_site() {
	with_serving_lock remove_site_from_nginx "$2"
	stop_process "$1"
}
