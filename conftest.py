"""Connects the pytest process to the test site, the way `bench run-tests` does, so that in-process
FrappeTestCase tests and out-of-process HTTP tests run under one pytest summary (see scripts/test.sh)."""

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
	site = os.environ.get("LNB_SITE")
	if not site:
		raise pytest.UsageError("Run the tests with scripts/test.sh, which sets up the test site.")

	import frappe
	import frappe.utils.scheduler

	# Frappe expects to run from the bench's sites folder; pytest has already resolved its arguments.
	sites_path = os.path.join(os.environ["LNB_BENCH"], "sites")
	os.chdir(sites_path)
	frappe.init(site=site, sites_path=sites_path)
	if not frappe.get_conf(site).allow_tests:
		raise pytest.UsageError(
			f"Testing is disabled for {site}: bench --site {site} set-config allow_tests true"
		)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.clear_cache()
	frappe.utils.scheduler.disable_scheduler()
	for hook in frappe.get_hooks("before_tests", app_name="lnb_casework"):
		frappe.get_attr(hook)()


def pytest_unconfigure(config: pytest.Config) -> None:
	import frappe

	if getattr(frappe.local, "db", None):
		frappe.db.commit()
		frappe.clear_cache()
		frappe.destroy()
