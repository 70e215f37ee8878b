import frappe
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import now_datetime

from lnb_casework.intake.alerts import (
	OWED,
	coordinator_being_alerted,
	send_owed_intake_mail,
	start_sending,
)
from lnb_casework.intake.equality import answer_seal
from lnb_casework.lnb_casework.doctype.case.case import IntakeInvalid
from lnb_casework.mail_testing import outgoing_account_for_tests

COORDINATORS = ["coordinator-one@example.com", "coordinator-two@example.com"]
SAFE = "I am safe and do not need urgent support"
URGENT = "I need urgent support"


def case_answers(**changes) -> dict:
	answers = {
		"doctype": "Case",
		"doctor_name": "Dr Amina Khan",
		"email": "amina.khan@example.com",
		"phone": "07700 900123",
		"gmc_number": "7654321",
		"grade": "Consultant",
		"specialty": "Anaesthetics",
		"employer_name": "Northshire Hospitals NHS Trust",
		"what_happened": "I was excluded for five months without a review.",
		"processes": [{"process_type": "Exclusion or restriction of practice", "details": "since June"}],
		"key_dates": [{"description": "Disciplinary hearing", "date": "2026-12-14"}],
		"discrimination": "Yes",
		"discrimination_kinds": [{"kind": "Race"}],
		"wellbeing": SAFE,
		"contact_preference": "Email",
		"consent_given": 1,
	}
	answers.update(changes)
	return answers


def submit_through_form(**changes):
	case = frappe.get_doc(case_answers(**changes))
	case.flags.from_intake_form = True
	return case.insert(ignore_permissions=True)


def make_user(email: str, *roles: str) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	return email


def make_users(role_of: dict[str, str]) -> None:
	"""Test users, each with one role: {email: role}."""
	for email, role in role_of.items():
		make_user(email, role)


class TestCase(FrappeTestCase):
	def setUp(self):
		outgoing_account_for_tests()
		settings = frappe.get_single("LNB Settings")
		settings.coordinator_alert_emails = "\n".join(COORDINATORS)
		settings.save(ignore_permissions=True)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_reference_is_lnb_year_and_five_digits(self):
		first = submit_through_form()
		second = submit_through_form(email="second@example.com")
		year = now_datetime().year
		self.assertRegex(first.name, rf"^LNB-{year}-\d{{5}}$")
		number = lambda name: int(name.rsplit("-", 1)[1])  # noqa: E731
		self.assertEqual(number(second.name), number(first.name) + 1)

	def test_every_field_is_kept(self):
		case = submit_through_form()
		stored = frappe.get_doc("Case", case.name)
		for field in (
			"doctor_name",
			"email",
			"gmc_number",
			"grade",
			"specialty",
			"employer_name",
			"what_happened",
		):
			self.assertEqual(stored.get(field), case_answers()[field], field)
		self.assertEqual(stored.processes[0].process_type, "Exclusion or restriction of practice")
		self.assertEqual(str(stored.key_dates[0].date), "2026-12-14")
		self.assertEqual(stored.discrimination_kinds[0].kind, "Race")
		self.assertEqual(stored.workflow_state, "New")
		self.assertEqual(stored.priority, "Normal")

	def test_bad_answers_are_refused_and_nothing_is_saved(self):
		bad_answers = {
			"email": {"email": "amina.khan@"},
			"gmc_number": {"gmc_number": "12345"},
			"doctor_name": {"doctor_name": ""},
			"what_happened": {"what_happened": "x" * 20_001},
			"consent_given": {"consent_given": 0},
			"wellbeing": {"wellbeing": None},
			"processes": {"processes": [{"process_type": "Something else"}]},
		}
		cases_before = frappe.db.count("Case")
		for field, changes in bad_answers.items():
			with self.subTest(field), self.assertRaises(IntakeInvalid) as refused:
				submit_through_form(**changes)
			self.assertIn(field, refused.exception.field_problems)
		self.assertEqual(frappe.db.count("Case"), cases_before)

	def test_consent_is_recorded_by_the_server(self):
		settings = frappe.get_single("LNB Settings")
		settings.update({"consent_version": "test-7", "consent_wording": "I agree to the test wording."})
		settings.save(ignore_permissions=True)
		before = now_datetime()
		case = submit_through_form(
			consent_recorded_on="2001-01-01 00:00:00",
			consent_version="forged",
			consent_wording="forged",
			consent_source="Recorded by coordinator",
		)
		self.assertEqual(case.consent_version, "test-7")
		self.assertEqual(case.consent_wording, "I agree to the test wording.")
		self.assertEqual(case.consent_source, "Web form")
		self.assertGreaterEqual(
			frappe.utils.get_datetime(case.consent_recorded_on), before.replace(microsecond=0)
		)

		by_phone = frappe.get_doc(case_answers(email="phone@example.com", consent_source="Web form")).insert()
		self.assertEqual(by_phone.consent_source, "Recorded by coordinator")

	def test_consent_record_cannot_be_changed(self):
		case = submit_through_form()
		case.consent_version = "other"
		with self.assertRaises(frappe.CannotChangeConstantError):
			case.save()

	def test_equality_answers_go_to_their_own_record_only(self):
		case = submit_through_form(
			equality_ethnic_group="Black, Black British, Caribbean or African",
			equality_sex="Prefer not to say",
		)
		self.assertEqual(frappe.db.count("Equality Monitoring", {"case": case.name}), 1)
		record = frappe.get_doc("Equality Monitoring", {"case": case.name})
		self.assertEqual(record.ethnic_group, "Black, Black British, Caribbean or African")
		self.assertEqual(record.sex, "Prefer not to say")
		self.assertFalse(record.age_band)
		case_columns = frappe.db.get_table_columns("Case")
		self.assertFalse([column for column in case_columns if column.startswith("equality")])
		self.assertIsNone(frappe.get_doc("Case", case.name).get("equality_ethnic_group"))

	def test_equality_answers_are_checked(self):
		with self.assertRaises(IntakeInvalid) as refused:
			submit_through_form(equality_age_band="Ancient")
		self.assertIn("equality_age_band", refused.exception.field_problems)

	def test_equality_record_is_written_once(self):
		case = submit_through_form(equality_disability="No")
		record = frappe.get_doc("Equality Monitoring", {"case": case.name})
		with self.assertRaises(AttributeError):
			record.disability = "Yes"
		record.sealed_answers = answer_seal().seal(case.name, {"disability": "Yes"})
		with self.assertRaises(frappe.ValidationError):
			record.save(ignore_permissions=True)

	def test_a_new_case_owes_its_mail_and_its_job_queues_it_once(self):
		case = submit_through_form()
		self.assertTrue(frappe.db.exists(OWED, case.name))
		self.assertFalse(
			frappe.db.count("Email Queue", {"reference_name": case.name}), "none made in the request"
		)
		send_owed_intake_mail(case.name)
		self.assertFalse(frappe.db.exists(OWED, case.name))
		self.assertEqual(frappe.db.count("Email Queue", {"reference_name": case.name}), 2)
		send_owed_intake_mail(case.name)
		self.assertEqual(frappe.db.count("Email Queue", {"reference_name": case.name}), 2, "sent once")

	def test_a_deleted_case_owes_nothing(self):
		case = submit_through_form()
		frappe.delete_doc("Case", case.name, ignore_permissions=True, force=True)
		self.assertFalse(frappe.db.exists(OWED, case.name))

	def test_emails_are_queued_without_case_details(self):
		case = submit_through_form()
		send_owed_intake_mail(case.name)
		queued = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Case", "reference_name": case.name},
			fields=["name", "message", "status", "priority"],
			order_by="creation",
		)
		self.assertEqual(len(queued), 2)
		recipients = [
			sorted(frappe.get_all("Email Queue Recipient", filters={"parent": q.name}, pluck="recipient"))
			for q in queued
		]
		self.assertEqual(recipients, [["amina.khan@example.com"], sorted(COORDINATORS)])
		acknowledgement, alert = (q.message for q in queued)
		self.assertIn(case.name, acknowledgement)
		self.assertIn(case.name, alert)
		self.assertIn(f"/app/case/{case.name}", alert)
		for private in ("Amina", "Khan", "excluded", "7654321", "Northshire", "Anaesthetics"):
			self.assertNotIn(private, acknowledgement)
			self.assertNotIn(private, alert)
		self.assertNotIn("amina.khan@example.com", alert)

	def test_urgent_support_queues_an_urgent_alert(self):
		case = submit_through_form(wellbeing=URGENT)
		self.assertEqual(case.priority, "Urgent")
		send_owed_intake_mail(case.name)
		urgent = frappe.get_all(
			"Email Queue", filters={"reference_name": case.name, "priority": 10}, fields=["name", "message"]
		)
		self.assertEqual(len(urgent), 1)
		self.assertIn("Urgent", urgent[0].message)
		self.assertIn(case.name, urgent[0].message)
		# that it is sent at commit, not at the next flush, is shown over HTTP with a real SMTP server

	def test_the_confirmation_says_a_coordinator_is_being_alerted_only_for_an_urgent_case(self):
		self.assertTrue(coordinator_being_alerted(submit_through_form(wellbeing=URGENT)))
		self.assertFalse(coordinator_being_alerted(submit_through_form(email="calm@example.com")))

	def test_a_bad_coordinator_address_never_loses_the_case(self):
		settings = frappe.get_single("LNB Settings")
		settings.db_set("coordinator_alert_emails", "not-an-address")
		frappe.clear_document_cache("LNB Settings", "LNB Settings")
		case = submit_through_form(email="broken-mail@example.com")
		send_owed_intake_mail(case.name)
		self.assertTrue(frappe.db.exists("Case", case.name))
		self.assertEqual(frappe.db.count("Email Queue", {"reference_name": case.name}), 1)

	def test_script_is_stored_inert(self):
		case = submit_through_form(
			doctor_name="<script>alert('x')</script>Dr Evil",
			what_happened="It happened <img src=x onerror=alert(1)> at work <script>steal()</script>, pain <5",
		)
		stored = frappe.get_doc("Case", case.name)
		# plain text that no HTML parser reads as markup, not turned into entities by Frappe's sanitiser
		self.assertEqual(stored.doctor_name, "‹script>alert('x')‹/script>Dr Evil")
		self.assertEqual(
			stored.what_happened,
			"It happened ‹img src=x onerror=alert(1)> at work ‹script>steal()‹/script>, pain <5",
		)

	def test_intake_is_never_edited_except_by_a_coordinator_with_a_reason(self):
		case = submit_through_form()
		caseworker = make_user("intake-caseworker@example.com", "LNB Caseworker")
		coordinator = make_user("intake-coordinator@example.com", "LNB Coordinator")

		frappe.set_user(caseworker)
		case = frappe.get_doc("Case", case.name)
		case.what_happened = "Something else entirely."
		with self.assertRaises(frappe.PermissionError):
			case.save(ignore_permissions=True)

		frappe.set_user(coordinator)
		case = frappe.get_doc("Case", case.name)
		case.triage_notes = "Casework notes are not intake."
		case.save()
		case.email = "amina.k@example.com"
		with self.assertRaises(frappe.ValidationError):
			case.save()
		case = frappe.get_doc("Case", case.name)
		self.assertEqual(case.email, "amina.khan@example.com")
		case.email = "amina.k@example.com"
		case.intake_correction_reason = "The doctor phoned to give their new address."
		case.save()
		stored = frappe.get_doc("Case", case.name)
		self.assertEqual(stored.email, "amina.k@example.com")
		self.assertEqual(len(stored.intake_corrections), 1)
		correction = stored.intake_corrections[0]
		self.assertEqual(correction.corrected_by, coordinator)
		self.assertEqual(correction.reason, "The doctor phoned to give their new address.")
		self.assertIn("Email", correction.fields_changed)

		stored.intake_corrections[0].reason = "rewritten"
		with self.assertRaises(frappe.PermissionError):
			stored.save()

	@change_settings("LNB Settings", {"coordinator_alert_emails": ""})
	def test_no_coordinator_recipients_alerts_every_enabled_coordinator(self):
		coordinator = make_user("alerted-coordinator@example.com", "LNB Coordinator")
		case = submit_through_form(email="quiet@example.com")
		send_owed_intake_mail(case.name)
		recipients = {
			row.recipient
			for queued in frappe.get_all("Email Queue", {"reference_name": case.name}, pluck="name")
			for row in frappe.get_doc("Email Queue", queued).recipients
		}
		self.assertIn("quiet@example.com", recipients)
		self.assertIn(coordinator, recipients)
