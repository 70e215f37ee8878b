"""`bench migrate` on a site that is already migrated changes nothing (scripts/test.sh migrated it just now)."""

import frappe
from bench_commands import migrate_site

SYNCED_FROM_THE_APP = (
	"DocType",
	"Report",
	"Web Form",
	"Workspace",
	"Notification",
	"Print Format",
	"Number Card",
	"Dashboard Chart",
)


def site_fingerprint() -> dict:
	frappe.db.rollback()
	fingerprint = {
		doctype: frappe.get_all(
			doctype, filters={"module": "LNB Casework"}, fields=["name", "modified"], order_by="name"
		)
		for doctype in SYNCED_FROM_THE_APP
	}
	fingerprint["Role"] = frappe.get_all("Role", fields=["name", "modified"], order_by="name")
	fingerprint["Workflow"] = frappe.get_all("Workflow", fields=["name", "modified"], order_by="name")
	fingerprint["Custom Field"] = frappe.get_all("Custom Field", fields=["name", "modified"], order_by="name")
	fingerprint["Property Setter"] = frappe.get_all(
		"Property Setter", fields=["name", "modified"], order_by="name"
	)
	# a document saved or deleted and re-created by migrate leaves one of these behind
	# (Frappe itself rewrites Installed Applications on every migrate)
	fingerprint["Version"] = frappe.db.count("Version", {"ref_doctype": ("!=", "Installed Applications")})
	fingerprint["Deleted Document"] = frappe.db.count("Deleted Document")
	fingerprint["columns"] = frappe.db.sql(
		"""select table_name, column_name, column_type, column_default, is_nullable
		from information_schema.columns where table_schema = %s order by table_name, column_name""",
		frappe.conf.db_name,
	)
	# a transaction left open would hold metadata locks that migrate's schema changes wait for
	frappe.db.rollback()
	return fingerprint


def test_second_migrate_changes_nothing():
	before = site_fingerprint()
	migrate_site()
	assert site_fingerprint() == before
