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
		insert_local_outgoing_account(TEST_ACCOUNT, "learnnotblame-tests@example.com", 2525)
	return TEST_ACCOUNT


def insert_local_outgoing_account(name: str, email_id: str, port: int) -> str:
	"""A default outgoing Email Account for a plain SMTP server at 127.0.0.1:port (no TLS, no login), as
	the tests' and the benchmark's local mail servers are; the caller commits or rolls back."""
	return (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": email_id,
				"smtp_server": "127.0.0.1",
				"smtp_port": port,
				"use_tls": 0,
				"use_ssl": 0,
				"no_smtp_authentication": 1,
				"enable_outgoing": 1,
				"default_outgoing": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
