"""For in-process tests that read queued mail: Frappe queues mail only when an outgoing Email Account
exists, and a new test site has none."""

import frappe

TEST_ACCOUNT = "LNB in-process tests"


def outgoing_account_for_tests() -> str:
	"""A default outgoing Email Account inside the test's transaction (the test's rollback takes it away).

	Under tests Frappe never connects to its server (no mail leaves an in-process test), so the address
	need not answer.
	"""
	if not frappe.flags.in_test:
		raise RuntimeError("outgoing_account_for_tests is for tests only")
	if not frappe.db.exists("Email Account", TEST_ACCOUNT):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": TEST_ACCOUNT,
				"email_id": "learnnotblame-tests@example.com",
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"use_tls": 0,
				"use_ssl": 0,
				"no_smtp_authentication": 1,
				"enable_outgoing": 1,
				"default_outgoing": 1,
			}
		).insert(ignore_permissions=True)
	return TEST_ACCOUNT
