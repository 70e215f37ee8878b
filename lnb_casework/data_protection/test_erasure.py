"""anonymise_cases against the real site: once per case, all or nothing, never touching the rows of an older
case that had the same reference, and the same erasure through Frappe's Personal Data Deletion Request
(docs/erasure-and-retention.md)."""

import uuid
from unittest.mock import patch

import frappe
from frappe.model.naming import set_new_name
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days

from lnb_casework.data_protection import erasure
from lnb_casework.data_protection.anonymisation import ANONYMISED
from lnb_casework.data_protection.erasure import ERASURE_ON_REQUEST, RETENTION, anonymise_cases
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form
from lnb_casework.lnb_casework.doctype.erasure_request import erasure_request
from lnb_casework.mail_testing import outgoing_account_for_tests


def a_case(**changes) -> str:
	values = {
		"email": f"erase-{uuid.uuid4().hex[:8]}@example.com",
		"doctor_name": f"Dr Erasure {uuid.uuid4().hex[:6]}",
		**changes,
	}
	return submit_through_form(**values).name


class TestAnonymiseCases(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account_for_tests()  # the intake mails; Frappe keeps the account it found for the process

	def test_a_case_is_anonymised_once(self):
		case = a_case()
		anonymise_cases([case], RETENTION)
		first = frappe.db.get_value("Case", case, ["doctor_name", "anonymised_on", "modified"], as_dict=True)
		self.assertEqual(first.doctor_name, ANONYMISED)
		self.assertTrue(first.anonymised_on)
		anonymise_cases([case], ERASURE_ON_REQUEST)
		again = frappe.db.get_value("Case", case, ["anonymised_on", "modified"], as_dict=True)
		self.assertEqual((again.anonymised_on, again.modified), (first.anonymised_on, first.modified))
		notes = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Case", "reference_name": case, "comment_type": "Info"},
			pluck="content",
		)
		self.assertEqual(len([note for note in notes if "erased" in note]), 1)

	def test_an_anonymised_case_can_still_be_saved(self):
		case = a_case()
		anonymise_cases([case], ERASURE_ON_REQUEST)
		doc = frappe.get_doc("Case", case)
		doc.priority = "High"
		doc.save()
		self.assertEqual(frappe.db.get_value("Case", case, ["priority", "email"]), ("High", None))

	def test_unknown_grounds_are_refused(self):
		case = a_case()
		self.assertRaises(frappe.ValidationError, anonymise_cases, [case], "Because")
		self.assertFalse(frappe.db.get_value("Case", case, "anonymised_on"))

	def test_a_failure_part_way_changes_nothing(self):
		cases = [a_case(), a_case()]
		names = [frappe.db.get_value("Case", case, "doctor_name") for case in cases]
		calls = []

		def fail_on_the_second_case(identifiers):
			calls.append(identifiers)
			if len(calls) == 2:
				raise frappe.ValidationError("the disk is full")

		with patch.object(erasure, "blank_requests_about", fail_on_the_second_case):
			self.assertRaises(frappe.ValidationError, anonymise_cases, cases, RETENTION)
		self.assertEqual([frappe.db.get_value("Case", case, "doctor_name") for case in cases], names)
		self.assertFalse(any(frappe.db.get_value("Case", case, "anonymised_on") for case in cases))

	def test_rows_of_an_older_case_with_the_same_reference_are_left(self):
		case = a_case()
		older = frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": "Case",
				"reference_name": case,
				"content": "About another doctor's deleted case that had this reference",
			}
		).insert(ignore_permissions=True)
		made = frappe.db.get_value("Case", case, "creation")
		frappe.db.set_value("Comment", older.name, "creation", add_days(made, -30), update_modified=False)
		newer = frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": "Case",
				"reference_name": case,
				"content": "About this case",
			}
		).insert(ignore_permissions=True)
		anonymise_cases([case], RETENTION)
		self.assertTrue(frappe.db.exists("Comment", older.name))
		self.assertFalse(frappe.db.exists("Comment", newer.name))


class TestPersonalDataDeletionRequest(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def test_frappes_deletion_request_anonymises_the_doctors_cases(self):
		email = f"erase-{uuid.uuid4().hex[:8]}@example.com"
		cases = [a_case(email=email), a_case(email=email.upper())]
		other = a_case()
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Doctor", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		# a request the doctor has verified; stored without its mails (a new site sends none)
		request = frappe.get_doc(
			{"doctype": "Personal Data Deletion Request", "email": email, "status": "Pending Approval"}
		)
		set_new_name(request)
		request.db_insert()
		# the deletion itself, which a System Manager's "Delete Data" queues after disabling the user
		request._anonymize_data()
		for case in cases:
			values = frappe.db.get_value(
				"Case", case, ["doctor_name", "email", "anonymised_on"], as_dict=True
			)
			self.assertEqual((values.doctor_name, values.email), (ANONYMISED, None))
			self.assertTrue(values.anonymised_on)
		self.assertFalse(frappe.db.get_value("Case", other, "anonymised_on"))
		self.assertEqual(
			frappe.db.get_value("Personal Data Deletion Request", request.name, "status"), "Deleted"
		)


class TestErasureRequestThatFails(FrappeTestCase):
	"""Commits, as the erasure does when it fails; takes away what it made."""

	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account_for_tests()
		self.asker = make_user("erasure-asker@lnb.test", "LNB Coordinator")
		self.confirmer = make_user("erasure-confirmer@lnb.test", "LNB Coordinator")
		self.case = a_case()
		frappe.set_user(self.asker)
		self.request = (
			frappe.get_doc(
				{
					"doctype": "Erasure Request",
					"email": frappe.db.get_value("Case", self.case, "email"),
					"reason": "Test",
				}
			)
			.insert()
			.name
		)
		frappe.set_user("Administrator")
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.db.delete("Erasure Request", {"name": self.request})
		# the case's reference will be given again: nothing of it may be left for the next case to find
		for doctype, field in (
			("Email Queue", "reference_name"),
			("LNB Alert Log", "reference_name"),
			("Comment", "reference_name"),
			("Version", "docname"),
			("Equality Monitoring", "case"),
			("Case State Change", "case"),
		):
			frappe.db.delete(doctype, {field: self.case})
		frappe.delete_doc("Case", self.case, ignore_permissions=True, force=True, delete_permanently=True)
		frappe.db.commit()

	def test_the_asker_cannot_confirm_and_a_failed_erasure_awaits_confirmation_again(self):
		frappe.set_user(self.asker)
		request = frappe.get_doc("Erasure Request", self.request)
		self.assertRaises(frappe.PermissionError, request.confirm)

		def fail(*args, **kwargs):
			raise frappe.ValidationError("the disk is full")

		frappe.set_user(self.confirmer)
		with patch.object(erasure_request, "anonymise_cases", fail):
			self.assertRaises(frappe.ValidationError, frappe.get_doc("Erasure Request", self.request).confirm)
		state = frappe.db.get_value("Erasure Request", self.request, ["status", "confirmed_by"], as_dict=True)
		self.assertEqual((state.status, state.confirmed_by), ("Awaiting confirmation", None))
		self.assertFalse(frappe.db.get_value("Case", self.case, "anonymised_on"))
		frappe.get_doc("Erasure Request", self.request).confirm()
		self.assertEqual(frappe.db.get_value("Erasure Request", self.request, "status"), "Done")
		self.assertTrue(frappe.db.get_value("Case", self.case, "anonymised_on"))
