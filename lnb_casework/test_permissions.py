"""The row rules (lnb_casework/permissions.py): for every doctype with a rule, as each kind of user, the
verdict on each record (the has_permission hook, saved and unsaved) and the list's condition agree row by
row, and what Frappe itself answers (frappe.has_permission, frappe.get_list) agrees too."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from lnb_casework import permissions
from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form
from lnb_casework.lnb_casework.doctype.review.test_review import review_answers
from lnb_casework.request_guard import MODULE

APP = "lnb_casework"
CASEWORKER_A = "rowrule-caseworker-a@example.com"
CASEWORKER_B = "rowrule-caseworker-b@example.com"
USERS = {
	"coordinator": ("rowrule-coordinator@example.com", COORDINATOR),
	"system manager": ("rowrule-system-manager@example.com", SYSTEM_MANAGER),
	"caseworker A": (CASEWORKER_A, CASEWORKER),
	"caseworker B": (CASEWORKER_B, CASEWORKER),
	"policy lead": ("rowrule-policy-lead@example.com", POLICY_LEAD),
	"desk user": ("rowrule-desk-user@example.com", "Desk User"),
	"website user": ("rowrule-website-user@example.com", None),
}
# Frappe's records about a case or a review: the fields they point with, and what else each needs
ABOUT = {
	"File": {"file_name": "notes.txt", "is_private": 1},
	"Comment": {"comment_type": "Comment", "content": "A note."},
	"Communication": {
		"communication_type": "Communication",
		"subject": "A message",
		"sent_or_received": "Sent",
	},
	"Version": {"data": "{}"},
	"View Log": {"viewed_by": CASEWORKER_A},
	"ToDo": {"description": "Call the doctor", "status": "Open", "allocated_to": CASEWORKER_A},
	"Workflow Action": {"status": "Open", "user": CASEWORKER_A},
	"Tag Link": {"tag": "rowrule"},
	"Document Follow": {"user": CASEWORKER_A},
	"Energy Point Log": {"user": CASEWORKER_A, "type": "Appreciation", "points": 1},
	"Notification Log": {"for_user": CASEWORKER_A, "subject": "A mention", "type": "Mention"},
}
MISSING_CASE = "LNB-1999-00001"


def insert_row(values: dict) -> str:
	"""A row as it is stored, without its controller (the rules judge rows, however they came to be)."""
	doc = frappe.get_doc(values)
	doc.db_insert()
	return doc.name


class TestRowRules(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email, role in USERS.values():
			make_user(email, *([role] if role else []))
		cls.since = add_to_date(now_datetime(), seconds=-1)
		cases = {
			"A": cls.case(CASEWORKER_A),
			"A2": cls.case(CASEWORKER_A),
			"B": cls.case(CASEWORKER_B),
			"unallocated": cls.case(None),
		}
		reviews = {
			key: frappe.get_doc(review_answers(cases[key])).insert(ignore_permissions=True).name
			for key in ("A", "B", "unallocated")
		}
		for case in cases.values():
			insert_row({"doctype": "Case State Change", "case": case, "to_state": "Triage"})
		insert_row({"doctype": "Case State Change", "case": MISSING_CASE})
		insert_row({"doctype": "Case State Change", "case": None})
		insert_row({**review_answers(MISSING_CASE), "name": f"REV-1999-{frappe.generate_hash(length=6)}"})

		about = [
			*(("Case", case) for case in [*cases.values(), MISSING_CASE]),
			*(("Review", review) for review in reviews.values()),
			("User", CASEWORKER_A),
			("Systemic Issue", cases["B"]),
			(None, None),
			("", cases["B"]),
		]
		for doctype, (doctype_field, name_field) in permissions.RECORDS_ABOUT_DOCUMENTS.items():
			if doctype_field:
				for kind, name in about:
					insert_row({"doctype": doctype, doctype_field: kind, name_field: name, **ABOUT[doctype]})

		# the child rows of cases (the intake's processes, key dates and kinds of discrimination are there)
		for case in cases.values():
			for table, values in (
				("Case Deadline", {"description": "Hearing", "due_date": "2027-01-04"}),
				("Case Intake Correction", {"reason": "A typing mistake."}),
			):
				cls.child_row(table, "Case", case, values)
		for parent, related in (("A", "B"), ("A", "A2"), ("A", "unallocated"), ("B", "A"), ("A2", "A")):
			cls.child_row("Related Case", "Case", cases[parent], {"related_case": cases[related]})
		for review in reviews.values():
			cls.child_row("Review Procedural Failure", "Review", review, {"what_went_wrong": "No hearing."})
			cls.child_row("Review Unfairness", "Review", review, {"kind": "Delay", "description": "Months."})
			cls.child_row(
				"Review Systemic Factor",
				"Review",
				review,
				{"seips_component": "Tasks", "description": "Rota."},
			)

		for email in (CASEWORKER_A, CASEWORKER_B, USERS["coordinator"][0]):
			frappe.db.delete("Caseworker Profile", {"user": email})
			insert_row({"doctype": "Caseworker Profile", "name": email, "user": email, "capacity": 3})

	@classmethod
	def case(cls, caseworker: str | None) -> str:
		name = submit_through_form(email=f"{frappe.generate_hash(length=8)}@example.com").name
		frappe.db.set_value("Case", name, {"caseworker": caseworker, "workflow_state": "Allocated"})
		return name

	@classmethod
	def child_row(cls, doctype: str, parenttype: str, parent: str, values: dict) -> None:
		field = next(
			table.fieldname
			for table in frappe.get_meta(parenttype).get_table_fields()
			if table.options == doctype
		)
		insert_row(
			{"doctype": doctype, "parenttype": parenttype, "parent": parent, "parentfield": field, **values}
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	# ---- helpers

	def ruled_doctypes(self) -> list[str]:
		return list(frappe.get_hooks("permission_query_conditions", app_name=APP))

	def rows(self, doctype: str) -> list:
		names = frappe.get_all(doctype, filters={"creation": [">=", self.since]}, pluck="name")
		return [frappe.get_doc(doctype, name) for name in names]

	def verdict(self, doc, user: str) -> bool:
		"""The app's has_permission hooks on a document, called as Frappe calls them (None: not denied)."""
		hooks = frappe.get_hooks("has_permission", app_name=APP).get(doc.doctype)
		if frappe.get_meta(doc.doctype).istable:
			# Frappe judges a child row by its parent and calls no hook; the row's own verdict
			hooks = ["lnb_casework.permissions.child_row_has_permission"]
		self.assertTrue(hooks, doc.doctype)
		return all(frappe.call(hook, doc=doc, ptype="read", user=user) is not False for hook in hooks)

	def listed(self, doctype: str, user: str) -> set[str]:
		"""The rows the app's list condition lets through, the condition built as Frappe builds it."""
		conditions = [
			condition
			for hook in frappe.get_hooks("permission_query_conditions", app_name=APP)[doctype]
			if (condition := frappe.call(frappe.get_attr(hook), user, doctype=doctype))
		]
		where = " and ".join([f"`creation` >= {permissions.literal(self.since)}", *conditions])
		return {name for (name,) in frappe.db.sql(f"select `name` from `tab{doctype}` where {where}")}

	def listed_by_frappe(self, doctype: str, user: str) -> set[str]:
		parent = self.parent_of(doctype) if frappe.get_meta(doctype).istable else None
		try:
			return set(
				frappe.get_list(
					doctype,
					filters={"creation": [">=", self.since]},
					pluck="name",
					user=user,
					parent_doctype=parent,
					limit_page_length=0,
				)
			)
		except frappe.PermissionError:
			return set()

	def parent_of(self, doctype: str) -> str:
		return (
			"Case" if doctype in {t.options for t in frappe.get_meta("Case").get_table_fields()} else "Review"
		)

	def unsaved(self, doc):
		copy = frappe.get_doc({**doc.as_dict(no_child_table_fields=False), "name": None, "creation": None})
		copy.set("__islocal", 1)
		self.assertTrue(copy.is_new())
		return copy

	# ---- tests

	def test_the_spread_covers_every_rule_both_ways(self):
		for doctype in self.ruled_doctypes():
			rows = self.listed(doctype, "Administrator")
			seen = self.listed(doctype, CASEWORKER_A)
			self.assertTrue(seen, f"{doctype}: caseworker A sees no row of the spread")
			self.assertTrue(rows - seen, f"{doctype}: caseworker A sees every row of the spread")

	def test_each_document_verdict_is_its_list_membership(self):
		for doctype in self.ruled_doctypes():
			rows = self.rows(doctype)
			self.assertTrue(rows, doctype)
			for label, (user, _role) in USERS.items():
				listed = self.listed(doctype, user)
				disagreements = []
				for doc in rows:
					answers = (
						self.verdict(doc, user),
						self.verdict(self.unsaved(doc), user),
						doc.name in listed,
					)
					if len(set(answers)) > 1:
						disagreements.append((doc.name, *answers))
				self.assertEqual(
					disagreements, [], f"{doctype} as {label}: (row, saved verdict, unsaved verdict, listed)"
				)

	def test_frappe_answers_the_same_for_a_document_and_in_a_list(self):
		"""What a user gets from Frappe: frappe.has_permission on each record, and frappe.get_list. For the
		app's doctypes they agree; Frappe's own doctypes (File, ToDo…) add Frappe's own rules to both, which
		need not agree with each other, but neither lets through a record the app's rule denies."""
		for doctype in self.ruled_doctypes():
			meta = frappe.get_meta(doctype)
			apps = meta.module == MODULE
			rows = self.rows(doctype)
			for label, (user, _role) in USERS.items():
				listed = self.listed_by_frappe(doctype, user)
				for doc in rows:
					if not apps and self.verdict(doc, user):
						continue
					if meta.istable:
						# a row is read with its parent: one the user may read, whose rule lets the row through
						parent = self.parent_of(doctype)
						may = frappe.has_permission(parent, "read", user=user) and self.verdict(doc, user)
					else:
						may = frappe.has_permission(doctype, "read", doc, user=user)
					self.assertEqual(may, doc.name in listed, f"{doctype} {doc.name} as {label}")
					self.assertTrue(apps or not may)

	def test_what_a_caseworker_sees(self):
		"""The rules say what the access policy says (docs/access-policy.md), not only the same thing twice."""
		for doc in self.rows("Case"):
			self.assertEqual(self.verdict(doc, CASEWORKER_A), doc.caseworker == CASEWORKER_A)
		for doc in self.rows("Related Case"):
			readable = {doc.parent, doc.related_case} <= set(self.listed("Case", CASEWORKER_A))
			self.assertEqual(self.verdict(doc, CASEWORKER_A), readable)
		for doc in self.rows("Caseworker Profile"):
			self.assertEqual(self.verdict(doc, CASEWORKER_A), doc.user == CASEWORKER_A)
			self.assertTrue(self.verdict(doc, USERS["coordinator"][0]))
		for doc in self.rows("Comment"):
			if doc.reference_doctype == "Case":
				expected = frappe.db.get_value("Case", doc.reference_name, "caseworker") == CASEWORKER_A
			elif doc.reference_doctype == "Review":
				case = frappe.db.get_value("Review", doc.reference_name, "case")
				expected = frappe.db.get_value("Case", case, "caseworker") == CASEWORKER_A
			else:
				expected = True
			self.assertEqual(self.verdict(doc, CASEWORKER_A), expected, doc.as_dict())

	def test_may_read_case_is_the_case_rule(self):
		for doc in self.rows("Case"):
			for label, (user, _role) in USERS.items():
				self.assertEqual(permissions.may_read_case(doc.name, user), self.verdict(doc, user), label)
		self.assertFalse(permissions.may_read_case(MISSING_CASE, CASEWORKER_A))
		self.assertFalse(permissions.may_read_case(None, CASEWORKER_A))
		self.assertTrue(permissions.may_read_case(MISSING_CASE, USERS["coordinator"][0]))

	def test_an_unsaved_document_is_judged_by_its_own_fields(self):
		mine = frappe.new_doc("Case")
		mine.caseworker = CASEWORKER_A
		self.assertTrue(frappe.has_permission("Case", "read", mine, user=CASEWORKER_A))
		self.assertFalse(frappe.has_permission("Case", "read", mine, user=CASEWORKER_B))
		theirs = frappe.get_value("Case", {"caseworker": CASEWORKER_B, "creation": [">=", self.since]})
		comment = frappe.new_doc("Comment")
		comment.update({"comment_type": "Comment", "reference_doctype": "Case", "reference_name": theirs})
		# Frappe's role permissions decide the rest: a caseworker reads no Comment alone
		self.assertFalse(self.verdict(comment, CASEWORKER_A))
		self.assertTrue(self.verdict(comment, CASEWORKER_B))

	def test_a_stored_document_is_judged_by_what_is_stored_not_by_its_copy(self):
		"""A client sends back another caseworker's case with `caseworker` set to himself (and, for good
		measure, marked as not yet saved): the rule reads the stored record."""
		theirs = frappe.get_value("Case", {"caseworker": CASEWORKER_B, "creation": [">=", self.since]})
		forged = frappe.get_doc("Case", theirs)
		forged.caseworker = CASEWORKER_A
		forged.set("__islocal", 1)
		for ptype in ("read", "write", "submit"):
			self.assertFalse(frappe.has_permission("Case", ptype, forged, user=CASEWORKER_A), ptype)
		self.assertTrue(frappe.has_permission("Case", "read", forged, user=CASEWORKER_B))
		row = frappe.get_doc("Related Case", frappe.get_value("Related Case", {"parent": theirs}))
		row.parent = frappe.get_value("Case", {"caseworker": CASEWORKER_A, "creation": [">=", self.since]})
		self.assertFalse(self.verdict(row, CASEWORKER_A))
