"""The app's bench commands (Frappe finds them by this module's `commands`)."""

import contextlib
import logging

import click
from frappe.commands import get_site, pass_context

from lnb_casework.site_connection import connected_to


def connected(context) -> contextlib.AbstractContextManager[None]:
	return connected_to(get_site(context))


@click.command("lnb-generate-data")
@click.option(
	"--size",
	type=click.Choice(["demo", "10k", "100k"]),
	default="demo",
	show_default=True,
	help="demo: a few cases in every state, made through the app; 10k or 100k: that many cases, in bulk.",
)
@click.option(
	"--password",
	envvar="LNB_DEMO_PASSWORD",
	default=None,
	help="The password the demo coordinator, caseworkers and policy lead sign in with (or LNB_DEMO_PASSWORD).",
)
@pass_context
def generate_data(context, size: str, password: str | None) -> None:
	"""Seeds fictional cases, reviews, systemic issues, actions, caseworkers and organisations. Running it
	again adds only what is missing."""
	from lnb_casework.demo.generator import generate, missing_cases

	# the emails the intake queues are rendered (and then dropped); their CSS inliner logs what it skips
	logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
	with connected(context):
		missing = missing_cases(size)
		with click.progressbar(length=missing, label=f"Making {missing} fictional cases") as bar:
			made = generate(size, password, progress=bar.update)
	click.echo(f"Made {made} fictional cases ({size}).")


@click.command("lnb-remove-generated-data")
@pass_context
def remove_generated_data(context) -> None:
	"""Removes everything lnb-generate-data made, and nothing else."""
	from lnb_casework.demo.remove import remove_generated

	with connected(context):
		removed = remove_generated()
	click.echo(f"Removed {removed} fictional cases and the people, organisations and issues made with them.")


@click.command("lnb-newcomer-accounts")
@click.option("--coordinator-password", envvar="LNB_COORDINATOR_PASSWORD", default="coordinator")
@click.option("--manager-password", envvar="LNB_MANAGER_PASSWORD", default="manager")
@pass_context
def newcomer_accounts(context, coordinator_password: str, manager_password: str) -> None:
	"""Makes (or brings back in line) the coordinator and System Manager accounts scripts/run.sh prints."""
	from lnb_casework.demo.accounts import ensure_newcomer_accounts

	with connected(context):
		ensure_newcomer_accounts(coordinator_password, manager_password)


@click.command("lnb-sign-in-code")
@click.argument("users", nargs=-1, required=True)
@click.option("--qr", is_flag=True, help="Also print the QR code to scan into an authenticator app.")
@pass_context
def print_sign_in_code(context, users: tuple[str, ...], qr: bool) -> None:
	"""Prints the sign-in code each user's authenticator app would show now, for a site that sends no mail
	(a local demo); --qr also prints the QR code, to sign in with an app from then on."""
	import frappe
	import pyqrcode

	from lnb_casework.setup.two_factor import sign_in_code

	with connected(context):
		try:
			codes = {user: sign_in_code(user) for user in users}
		except frappe.ValidationError as refused:
			raise click.ClickException(str(refused))
	for user, (code, seconds_left, link) in codes.items():
		if qr:
			click.echo(pyqrcode.create(link).terminal(quiet_zone=2))
			click.echo(f"Scan this QR code with an authenticator app, or enter this link in it: {link}")
		click.echo(f"Sign-in code for {user} (for {seconds_left} more seconds): {code}")


@click.command("lnb-benchmark")
@click.argument("sites", nargs=-1, required=True)
@click.option("--url", required=True, help="Where the sites are served (each is asked for by its name).")
@click.option("--repeat", default=5, show_default=True, help="Rounds timed, after one that warms up.")
@click.option(
	"--server-pid-file", default=None, help="The web server's pid file, to report its workers' memory."
)
def benchmark(sites: tuple[str, ...], url: str, repeat: int, server_pid_file: str | None) -> None:
	"""Times the app against bare Frappe on the given sites, served at --url (scripts/benchmark.sh runs it)."""
	from lnb_casework.benchmark.run import run_benchmark

	# the emails the intake and the jobs queue are rendered; their CSS inliner logs what it skips
	logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
	server_pid = None
	if server_pid_file:
		with open(server_pid_file) as pid_file:
			server_pid = int(pid_file.read().strip())
	run_benchmark(list(sites), url.rstrip("/"), repeat, server_pid, click.echo)


commands = [generate_data, remove_generated_data, newcomer_accounts, print_sign_in_code, benchmark]
