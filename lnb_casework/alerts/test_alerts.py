"""Each alert: the right Email Queue rows for the right recipients, once; a second run sends nothing."""

import datetime
import email
import re

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, format_date, getdate, now_datetime

from lnb_casework.alerts.scheduled import (
	send_deadline_reminders,
	send_overdue_action_alerts,
	send_stalled_case_alerts,
	send_weekly_digest,
)
from lnb_casework.casework.test_casework import case_in
from lnb_casework.lnb_casework.doctype.case.test_case import make_user
from lnb_casework.lnb_casework.doctype.review.test_review import allocated_case, review_answers
from lnb_casework.mail_testing import outgoing_account_for_tests
from lnb_casework.review.workflow import RETURN_TO_DRAFT, SUBMIT_FOR_APPROVAL

CASEWORKER = "alerts-caseworker@lnb.test"
COORDINATORS = ["alerts-coordinator-one@lnb.test", "alerts-coordinator-two@lnb.test"]
LEAD = "alerts-policy-lead@lnb.test"
TODAY = getdate("2026-12-01")
# a morning job's queries when everything due was sent before: its selection and one look in the log
QUERIES_WITH_NOTHING_TO_SEND = 5
PRIVATE = ("Amina", "Khan", "amina.khan", "7654321", "Northshire", "Anaesthetics", "night shift")


def queued(reference_doctype: str, reference_name: str | None = None) -> list[tuple[list[str], str, str]]:
	"""(recipients, subject, message) of each queued email about the document(s), oldest first."""
	filters = {"reference_doctype": reference_doctype}
	if reference_name:
		filters["reference_name"] = reference_name
	rows = frappe.get_all(
		"Email Queue", filters=filters, fields=["name", "message"], order_by="creation asc, name asc"
	)
	return [
		(
			sorted(frappe.get_all("Email Queue Recipient", filters={"parent": row.name}, pluck="recipient")),
			subject_of(row.message),
			row.message,
		)
		for row in rows
	]


def subject_of(message: str) -> str:
	return next(line[len("Subject: ") :] for line in message.splitlines() if line.startswith("Subject: "))


def case_without_dates(state: str, caseworker: str | None = None, **values) -> str:
	"""A case in `state` without the intake helper's key date and emails, so only the test's own count."""
	case = case_in(state, caseworker, **values)
	frappe.db.delete("Case Key Date", {"parent": case})
	frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": case})
	return case


def deadline(case: str, due: datetime.date, description: str = "GMC hearing for Amina Khan") -> None:
	frappe.get_doc("Case", case).append(
		"deadlines", {"description": description, "due_date": due, "source": "Caseworker"}
	).db_insert()


class AlertTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		outgoing_account_for_tests()
		make_user(CASEWORKER, "LNB Caseworker")
		for coordinator in COORDINATORS:
			make_user(coordinator, "LNB Coordinator")
		make_user(LEAD, "LNB Policy Lead")
		settings = frappe.get_single("LNB Settings")
		settings.coordinator_alert_emails = "\n".join(COORDINATORS)
		settings.deadline_reminder_days = "14, 7, 2"
		settings.stalled_after_days = 21
		settings.save(ignore_permissions=True)
		for doctype in ("Case", "Advocacy Action", "LNB Alert Log", "Email Queue"):
			frappe.db.delete(doctype)

	def tearDown(self):
		frappe.set_user("Administrator")

	def assertPrivateNothing(self, message: str) -> None:
		for private in PRIVATE:
			self.assertNotIn(private, message)


class TestDeadlineReminders(AlertTestCase):
	def test_reminders_go_at_each_configured_stage_once(self):
		mine = case_without_dates("Under Review", CASEWORKER)
		deadline(mine, add_days(TODAY, 7))
		deadline(mine, add_days(TODAY, 10))
		deadline(mine, add_days(TODAY, 20))
		deadline(mine, add_days(TODAY, -1))
		unallocated = case_without_dates("Triage")
		frappe.get_doc("Case", unallocated).append(
			"key_dates", {"description": "Hearing", "date": add_days(TODAY, 2)}
		).db_insert()
		closed = case_without_dates("Closed", CASEWORKER)
		deadline(closed, add_days(TODAY, 7))

		self.assertEqual(send_deadline_reminders(TODAY), 3)
		mail = queued("Case", mine)
		self.assertEqual(
			[(recipients, subject) for recipients, subject, _m in mail],
			[
				([CASEWORKER], f"Deadline in 7 days on case {mine}"),
				([CASEWORKER], f"Deadline in 10 days on case {mine}"),
			],
		)
		self.assertIn(f"/app/case/{mine}", mail[0][2])
		self.assertIn("Under Review", mail[0][2])
		self.assertPrivateNothing(mail[0][2])
		self.assertEqual(
			[(r, s) for r, s, _m in queued("Case", unallocated)],
			[(COORDINATORS, f"Deadline in 2 days on case {unallocated}")],
		)
		self.assertEqual(queued("Case", closed), [])

		self.assertEqual(send_deadline_reminders(TODAY), 0)
		self.assertEqual(len(queued("Case")), 3)

		# three days on, the 10-day deadline reaches its 7-day reminder; the other is still at its 7-day stage
		self.assertEqual(send_deadline_reminders(add_days(TODAY, 3)), 1)
		self.assertEqual(send_deadline_reminders(add_days(TODAY, 3)), 0)
		# five days on, the first reaches its 2-day reminder
		self.assertEqual(send_deadline_reminders(add_days(TODAY, 5)), 1)
		self.assertEqual(
			[subject for _r, subject, _m in queued("Case", mine)][2:],
			[f"Deadline in 7 days on case {mine}", f"Deadline in 2 days on case {mine}"],
		)
		self.assertEqual(send_deadline_reminders(add_days(TODAY, 5)), 0)


class TestStalledCases(AlertTestCase):
	def test_a_stalled_case_alerts_its_caseworker_and_the_coordinators_once_per_stretch(self):
		now = now_datetime()
		stalled = case_without_dates(
			"Active Support", CASEWORKER, last_activity_on=now - datetime.timedelta(days=30)
		)
		busy = case_without_dates(
			"Active Support", CASEWORKER, last_activity_on=now - datetime.timedelta(days=5)
		)
		ended = case_without_dates("Closed", CASEWORKER, last_activity_on=now - datetime.timedelta(days=40))

		self.assertEqual(send_stalled_case_alerts(now), 1)
		((recipients, subject, message),) = queued("Case", stalled)
		self.assertEqual(recipients, sorted([CASEWORKER, *COORDINATORS]))
		self.assertEqual(subject, f"Case {stalled} has had no activity for 30 days")
		self.assertIn(f"/app/case/{stalled}", message)
		self.assertPrivateNothing(message)
		self.assertEqual(queued("Case", busy) + queued("Case", ended), [])
		self.assertEqual(send_stalled_case_alerts(now), 0)

		# activity, then silence again: a new stretch, a new alert
		frappe.db.set_value("Case", stalled, "last_activity_on", now - datetime.timedelta(days=22))
		self.assertEqual(send_stalled_case_alerts(now), 1)
		self.assertEqual(send_stalled_case_alerts(now), 0)
		self.assertEqual(len(queued("Case", stalled)), 2)

	def test_a_case_stalled_before_the_catch_up_days_and_untouched_since_is_not_read(self):
		now = now_datetime()
		long_stalled = case_without_dates(
			"Active Support", CASEWORKER, last_activity_on=now - datetime.timedelta(days=60)
		)
		frappe.db.set_value(
			"Case", long_stalled, "modified", now - datetime.timedelta(days=38), update_modified=False
		)
		send_stalled_case_alerts(now)
		self.assertEqual(queued("Case", long_stalled), [])
		# reopened, or changed in any way, it is read again, and alerted once for its stretch
		frappe.db.set_value("Case", long_stalled, "casework_notes", "Still waiting for the trust.")
		self.assertEqual(send_stalled_case_alerts(now), 1)
		self.assertEqual(len(queued("Case", long_stalled)), 1)

	def test_with_no_recipients_set_they_go_to_every_enabled_coordinator(self):
		frappe.db.set_single_value("LNB Settings", "coordinator_alert_emails", "")
		frappe.clear_document_cache("LNB Settings", "LNB Settings")
		gone = make_user("alerts-coordinator-gone@lnb.test", "LNB Coordinator")
		frappe.db.set_value("User", gone, "enabled", 0)
		with_role = frappe.get_all(
			"Has Role", filters={"role": "LNB Coordinator", "parenttype": "User"}, pluck="parent"
		)
		everyone = sorted(
			frappe.get_all("User", filters={"name": ["in", with_role], "enabled": 1}, pluck="email")
		)
		self.assertLessEqual(set(COORDINATORS), set(everyone))
		self.assertFalse({gone, CASEWORKER, LEAD} & set(everyone))

		now = now_datetime()
		stalled = case_without_dates(
			"Active Support", CASEWORKER, last_activity_on=now - datetime.timedelta(days=30)
		)
		send_stalled_case_alerts(now)
		self.assertEqual([r for r, _s, _m in queued("Case", stalled)], [sorted([CASEWORKER, *everyone])])

		unallocated = case_without_dates("Triage")
		deadline(unallocated, add_days(getdate(), 2))
		send_deadline_reminders(getdate())
		self.assertEqual([r for r, _s, _m in queued("Case", unallocated)], [everyone])


class TestOverdueActions(AlertTestCase):
	def action(self, due: datetime.date | None, state: str = "Planned", responsible: str = LEAD) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Advocacy Action",
				"title": f"Letter to the trust due {due}",
				"action_type": "Letter to an organisation",
				"target_body": "Northshire Trust board",
				"responsible": responsible,
				"due_date": due,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Advocacy Action", doc.name, {"workflow_state": state, "outcome": "Done"})
		return doc.name

	def test_an_overdue_action_alerts_the_responsible_user_once(self):
		overdue = self.action(add_days(TODAY, -3))
		self.action(add_days(TODAY, -3), state="Completed")
		self.action(add_days(TODAY, 1))
		self.action(None)
		in_progress = self.action(add_days(TODAY, -1), state="In Progress", responsible=COORDINATORS[0])

		self.assertEqual(send_overdue_action_alerts(TODAY), 2)
		((recipients, subject, message),) = queued("Advocacy Action", overdue)
		self.assertEqual(recipients, [LEAD])
		self.assertEqual(subject, f"Advocacy action overdue: Letter to the trust due {add_days(TODAY, -3)}")
		self.assertIn(f"/app/advocacy-action/{overdue}", message)
		self.assertEqual([r for r, _s, _m in queued("Advocacy Action", in_progress)], [[COORDINATORS[0]]])
		self.assertEqual(len(queued("Advocacy Action")), 2)
		self.assertEqual(send_overdue_action_alerts(TODAY), 0)
		self.assertEqual(send_overdue_action_alerts(add_days(TODAY, 1)), 0)
		with self.assertQueryCount(QUERIES_WITH_NOTHING_TO_SEND):
			self.assertEqual(send_overdue_action_alerts(TODAY), 0)

	def test_an_action_overdue_before_the_catch_up_days_and_untouched_since_is_not_read(self):
		long_overdue = self.action(add_days(TODAY, -30))
		frappe.db.set_value(
			"Advocacy Action", long_overdue, "modified", add_days(TODAY, -20), update_modified=False
		)
		send_overdue_action_alerts(TODAY)
		self.assertEqual(queued("Advocacy Action", long_overdue), [])


class TestAMorningWithNothingNew(AlertTestCase):
	"""A job asks the LNB Alert Log once for all its alerts: its queries do not grow with the cases."""

	def test_the_reminders_ask_once_however_many_deadlines_are_near(self):
		for _number in range(6):
			case = case_without_dates("Under Review", CASEWORKER)
			deadline(case, add_days(TODAY, 12))
			deadline(case, add_days(TODAY, 5))
		self.assertEqual(send_deadline_reminders(TODAY), 12)
		with self.assertQueryCount(QUERIES_WITH_NOTHING_TO_SEND):
			self.assertEqual(send_deadline_reminders(TODAY), 0)

	def test_the_stalled_alert_asks_once_however_many_cases_are_stalled(self):
		now = now_datetime()
		for days in range(22, 28):
			case_without_dates("Advocacy", CASEWORKER, last_activity_on=now - datetime.timedelta(days=days))
		self.assertEqual(send_stalled_case_alerts(now), 6)
		with self.assertQueryCount(QUERIES_WITH_NOTHING_TO_SEND):
			self.assertEqual(send_stalled_case_alerts(now), 0)


class TestReviewAlerts(AlertTestCase):
	def test_submitted_goes_to_the_coordinators_and_returned_to_the_caseworker(self):
		case = allocated_case(CASEWORKER)
		frappe.set_user(CASEWORKER)
		review = frappe.get_doc(review_answers(case)).insert()
		self.assertEqual(queued("Review", review.name), [])
		review = apply_workflow(review, SUBMIT_FOR_APPROVAL)
		((recipients, subject, message),) = queued("Review", review.name)
		self.assertEqual(recipients, COORDINATORS)
		self.assertEqual(subject, f"Review of case {case} submitted for approval")
		self.assertIn(f"/app/review/{review.name}", message)
		self.assertIn("Submitted for Approval", message)
		self.assertPrivateNothing(message)

		frappe.set_user(COORDINATORS[0])
		review = frappe.get_doc("Review", review.name)
		review.return_comments = "Amina Khan's rota is missing."
		review.save()
		self.assertEqual(len(queued("Review", review.name)), 1)
		apply_workflow(review, RETURN_TO_DRAFT)
		returned = queued("Review", review.name)[1]
		self.assertEqual(returned[:2], ([CASEWORKER], f"Review of case {case} returned to you"))
		self.assertNotIn("rota", returned[2])
		self.assertPrivateNothing(returned[2])


class TestSchedule(AlertTestCase):
	def test_the_alerts_run_every_morning_from_the_scheduler(self):
		jobs = frappe.get_all(
			"Scheduled Job Type",
			filters={"method": ["like", "lnb_casework.alerts.scheduled.%"]},
			fields=["method", "frequency", "cron_format", "stopped"],
			order_by="method",
		)
		self.assertEqual(
			[(job.method.rsplit(".", 1)[1], job.frequency, job.cron_format, job.stopped) for job in jobs],
			[
				(method, "Cron", "0 7 * * *", 0)
				for method in (
					"send_deadline_reminders",
					"send_overdue_action_alerts",
					"send_stalled_case_alerts",
					"send_weekly_digest",
				)
			],
		)

	def test_only_coordinators_read_what_was_sent(self):
		self.assertTrue(frappe.has_permission("LNB Alert Log", "read", user=COORDINATORS[0]))
		for user in (CASEWORKER, LEAD):
			self.assertFalse(frappe.has_permission("LNB Alert Log", "read", user=user))
		self.assertFalse(frappe.has_permission("LNB Alert Log", "write", user=COORDINATORS[0]))


def html_of(message: str) -> str:
	"""The HTML part of a queued email, decoded."""
	parsed = email.message_from_string(message)
	part = next(part for part in parsed.walk() if part.get_content_type() == "text/html")
	return part.get_payload(decode=True).decode()


class TestWeeklyDigest(AlertTestCase):
	def test_the_headline_numbers_go_to_the_coordinators_once_a_week_on_the_digest_day(self):
		frappe.db.set_single_value("LNB Settings", "digest_day", "Monday")
		frappe.clear_document_cache("LNB Settings", "LNB Settings")
		frappe.db.delete("Systemic Issue")
		case_without_dates("New")
		case_without_dates("Triage")
		case_without_dates(
			"Active Support", CASEWORKER, last_activity_on=now_datetime() - datetime.timedelta(days=30)
		)
		soon = case_without_dates("Under Review", CASEWORKER)
		deadline(soon, add_days(getdate(), 3))
		case_without_dates("Closed", CASEWORKER)
		frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": "Rotas without cover",
				"seips_components": [{"seips_component": "Tasks"}],
			}
		).insert(ignore_permissions=True)

		monday, tuesday = getdate("2026-11-30"), getdate("2026-12-01")
		self.assertEqual(send_weekly_digest(tuesday), 0)
		self.assertEqual(send_weekly_digest(monday), 1)
		((recipients, subject, message),) = queued("LNB Settings")
		self.assertEqual(recipients, COORDINATORS)
		self.assertEqual(subject, f"Learn Not Blame: the week of {format_date(monday)}")
		body = html_of(message)
		figures = dict(re.findall(r"<td[^>]*>([^<]+)</td>\s*<td[^>]*><strong>([^<]+)</strong>", body))
		self.assertEqual(
			figures,
			{
				"Cases awaiting triage": "2",
				"Open cases": "4",
				"Stalled cases": "1",
				"Cases with a deadline in the next 7 days": "1",
				"Open systemic issues": "1",
				"Overdue advocacy actions": "0",
			},
		)
		self.assertIn("/app/learn-not-blame", body)
		self.assertNotIn("LNB-", body)

		self.assertEqual(send_weekly_digest(monday), 0)
		self.assertEqual(send_weekly_digest(add_days(monday, 3)), 0)
		self.assertEqual(send_weekly_digest(add_days(monday, 7)), 1)
		self.assertEqual(len(queued("LNB Settings")), 2)
