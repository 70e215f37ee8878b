"""The accounts a newcomer signs in with on the site scripts/run.sh serves: a named coordinator and a
System Manager, made (or brought back in line) idempotently."""

from dataclasses import dataclass

import frappe
from frappe.utils.password import update_password

from lnb_casework.casework.rules import COORDINATOR, SYSTEM_MANAGER


@dataclass(frozen=True)
class Account:
	email: str
	first_name: str
	last_name: str
	role: str


COORDINATOR_ACCOUNT = Account("coordinator@lnb.localhost", "Corin", "Coordinator", COORDINATOR)
MANAGER_ACCOUNT = Account("admin@lnb.localhost", "Sam", "Site-Manager", SYSTEM_MANAGER)


def ensure_account(account: Account, password: str) -> None:
	"""The account exists, is enabled, signs in with this password and holds its role and no other
	(in particular the coordinator is never System Manager: see casework/guards.py)."""
	if frappe.db.exists("User", account.email):
		user = frappe.get_doc("User", account.email)
	else:
		user = frappe.new_doc("User")
		user.update({"email": account.email, "send_welcome_email": 0})
	user.update(
		{
			"first_name": account.first_name,
			"last_name": account.last_name,
			"enabled": 1,
			"user_type": "System User",
		}
	)
	user.set("roles", [{"role": account.role}])
	user.save(ignore_permissions=True)
	update_password(account.email, password)


def ensure_newcomer_accounts(coordinator_password: str, manager_password: str) -> None:
	frappe.set_user("Administrator")
	# the System Manager first: Frappe gives that role to the first System User saved on a site that has
	# none but Administrator (the guard keeps it from the coordinator all the same)
	ensure_account(MANAGER_ACCOUNT, manager_password)
	ensure_account(COORDINATOR_ACCOUNT, coordinator_password)
	frappe.db.commit()
