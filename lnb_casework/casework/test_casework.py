"""Casework on a case: allocation, the workflow by role, the transition log, related cases."""

import frappe
from frappe.desk.form.assign_to import add as add_assignment
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase

from lnb_casework.api.casework import allocate
from lnb_casework.casework.rules import CASE_TRANSITIONS, CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.intake.alerts import send_owed_intake_mail
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form
from lnb_casework.mail_testing import outgoing_account_for_tests

ORGANISATIONS = ("Northshire Hospitals NHS Trust", "Southshire Healthcare NHS Trust")
PEOPLE = {
	COORDINATOR: "casework-coordinator@lnb.test",
	CASEWORKER: "casework-caseworker@lnb.test",
	POLICY_LEAD: "casework-policy-lead@lnb.test",
}
OTHER_CASEWORKER = "casework-caseworker-two@lnb.test"
CAPPED_CASEWORKER = "casework-caseworker-capped@lnb.test"
# what each state needs on the case to be entered or left
READY = {
	"organisation": ORGANISATIONS[0],
	"outcome": "Support given.",
	"withdrawal_reason": "The doctor asked us to stop.",
	"referred_to": "BMA",
	"reopen_reason": "New information.",
}


def profile(user: str, capacity: int = 3, organisations: tuple[str, ...] = ()) -> None:
	if frappe.db.exists("Caseworker Profile", user):
		frappe.delete_doc("Caseworker Profile", user, ignore_permissions=True, force=True)
	frappe.get_doc(
		{
			"doctype": "Caseworker Profile",
			"user": user,
			"capacity": capacity,
			"organisations": [{"organisation": organisation} for organisation in organisations],
		}
	).insert(ignore_permissions=True)


def make_organisations() -> None:
	for organisation in ORGANISATIONS:
		if not frappe.db.exists("Healthcare Organisation", organisation):
			frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": organisation}).insert(
				ignore_permissions=True
			)


def case_in(state: str, caseworker: str | None = None, **values) -> str:
	name = submit_through_form(email=f"{frappe.generate_hash(length=8)}@example.com", gmc_number="").name
	frappe.db.set_value("Case", name, {"workflow_state": state, "caseworker": caseworker, **READY, **values})
	return name


class TestCasework(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		outgoing_account_for_tests()
		make_organisations()
		for role, user in PEOPLE.items():
			make_user(user, role)
		make_user(OTHER_CASEWORKER, CASEWORKER)
		make_user(CAPPED_CASEWORKER, CASEWORKER)
		profile(PEOPLE[CASEWORKER], capacity=1000, organisations=(ORGANISATIONS[1],))
		profile(OTHER_CASEWORKER, capacity=1000)
		profile(CAPPED_CASEWORKER, capacity=1)

	def tearDown(self):
		frappe.set_user("Administrator")

	def as_user(self, role: str) -> None:
		frappe.set_user(PEOPLE[role])

	def test_every_allowed_transition_works_for_its_role_and_every_other_is_refused(self):
		for transition in CASE_TRANSITIONS:
			for role in PEOPLE:
				with self.subTest(action=transition.action, state=transition.state, role=role):
					name = case_in(transition.state, PEOPLE[CASEWORKER])
					self.as_user(role)
					if role in transition.roles:
						moved = apply_workflow(frappe.get_doc("Case", name), transition.action)
						self.assertEqual(moved.workflow_state, transition.next_state)
					else:
						with self.assertRaises((WorkflowTransitionError, frappe.PermissionError)):
							apply_workflow(frappe.get_doc("Case", name), transition.action)
						frappe.set_user("Administrator")
						self.assertEqual(
							frappe.db.get_value("Case", name, "workflow_state"), transition.state
						)
					frappe.set_user("Administrator")

	def test_a_caseworker_moves_only_cases_allocated_to_them(self):
		name = case_in("Allocated", OTHER_CASEWORKER)
		self.as_user(CASEWORKER)
		with self.assertRaises(frappe.PermissionError):
			apply_workflow(frappe.get_doc("Case", name), "Start review")

	def test_a_state_cannot_be_jumped_by_saving(self):
		name = case_in("Triage", PEOPLE[CASEWORKER])
		self.as_user(COORDINATOR)
		case = frappe.get_doc("Case", name)
		case.workflow_state = "Closed"
		with self.assertRaises(WorkflowPermissionError):
			case.save()

	def test_moves_need_what_they_need(self):
		name = case_in("Under Review", PEOPLE[CASEWORKER], outcome="")
		self.as_user(COORDINATOR)
		with self.assertRaises(frappe.ValidationError) as refused:
			apply_workflow(frappe.get_doc("Case", name), "Close")
		self.assertIn("outcome", str(refused.exception))
		name = case_in("Triage", None)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Case", name), "Allocate")

	def test_allocation_sets_the_caseworker_one_assignment_and_one_email(self):
		name = case_in("Triage")
		self.as_user(COORDINATOR)
		queued_before = frappe.db.count("Email Queue")
		result = allocate(name, PEOPLE[CASEWORKER])
		self.assertEqual(result, {"caseworker": PEOPLE[CASEWORKER], "workflow_state": "Allocated"})
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Case", "reference_name": name},
			fields=["allocated_to", "status"],
		)
		self.assertEqual(todos, [{"allocated_to": PEOPLE[CASEWORKER], "status": "Open"}])
		self.assertEqual(frappe.db.count("Email Queue") - queued_before, 1)
		self.assertFalse(frappe.db.exists("DocShare", {"share_doctype": "Case", "share_name": name}))

	def test_reallocation_closes_the_old_assignment_and_takes_access_away(self):
		name = case_in("Triage")
		self.as_user(COORDINATOR)
		allocate(name, PEOPLE[CASEWORKER])
		allocate(name, OTHER_CASEWORKER)
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Case", "reference_name": name},
			fields=["allocated_to", "status"],
			order_by="creation",
		)
		self.assertEqual(
			[(t.allocated_to, t.status) for t in todos],
			[(PEOPLE[CASEWORKER], "Cancelled"), (OTHER_CASEWORKER, "Open")],
		)
		self.assertFalse(frappe.has_permission("Case", "read", name, user=PEOPLE[CASEWORKER]))
		self.assertTrue(frappe.has_permission("Case", "read", name, user=OTHER_CASEWORKER))

	def test_conflict_of_interest_is_refused_unless_a_reason_is_given(self):
		name = case_in("Triage", organisation=ORGANISATIONS[1])
		self.as_user(COORDINATOR)
		with self.assertRaises(frappe.ValidationError) as refused:
			allocate(name, PEOPLE[CASEWORKER])
		self.assertIn("conflict of interest", str(refused.exception))
		self.assertFalse(frappe.db.get_value("Case", name, "caseworker"))
		allocate(name, PEOPLE[CASEWORKER], override_reason="Only caseworker with this specialty.")
		self.assertEqual(
			frappe.db.get_value("Case", name, ["caseworker", "allocation_override_reason"]),
			(PEOPLE[CASEWORKER], "Only caseworker with this specialty."),
		)

	def test_capacity_is_checked(self):
		case_in("Active Support", CAPPED_CASEWORKER)
		name = case_in("Triage")
		self.as_user(COORDINATOR)
		with self.assertRaises(frappe.ValidationError) as refused:
			allocate(name, CAPPED_CASEWORKER)
		self.assertIn("capacity", str(refused.exception))

	def test_only_caseworkers_and_only_by_coordinators(self):
		name = case_in("Triage")
		self.as_user(COORDINATOR)
		with self.assertRaises(frappe.ValidationError):
			allocate(name, PEOPLE[POLICY_LEAD])
		self.as_user(CASEWORKER)
		with self.assertRaises(frappe.PermissionError):
			allocate(name, PEOPLE[CASEWORKER])

	def test_a_case_is_assigned_in_no_other_way_and_never_shared(self):
		name = case_in("Allocated", PEOPLE[CASEWORKER])
		self.as_user(COORDINATOR)
		with self.assertRaises(frappe.PermissionError):
			add_assignment({"assign_to": [OTHER_CASEWORKER], "doctype": "Case", "name": name})
		with self.assertRaises(frappe.PermissionError):
			frappe.share.add("Case", name, OTHER_CASEWORKER)

	def test_every_transition_is_logged(self):
		name = case_in("New", reopen_reason="")
		self.as_user(COORDINATOR)
		for action in ("Start triage", "Withdraw"):
			apply_workflow(frappe.get_doc("Case", name), action)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Case", name), "Reopen")
		case = frappe.get_doc("Case", name)
		case.reopen_reason = "The doctor came back to us."
		case.save()
		apply_workflow(frappe.get_doc("Case", name), "Reopen")
		log = frappe.get_all(
			"Case State Change",
			filters={"case": name},
			fields=["from_state", "to_state", "action", "changed_by", "note"],
			order_by="changed_on, creation",
		)
		self.assertEqual(
			[(row.from_state, row.to_state, row.action) for row in log[-3:]],
			[
				("New", "Triage", "Start triage"),
				("Triage", "Withdrawn", "Withdraw"),
				("Withdrawn", "Triage", "Reopen"),
			],
		)
		self.assertEqual({row.changed_by for row in log[-3:]}, {PEOPLE[COORDINATOR]})
		self.assertEqual(log[-2].note, READY["withdrawal_reason"])
		self.assertEqual(log[-1].note, "The doctor came back to us.")
		self.assertFalse(
			frappe.db.get_value("Case", name, "reopen_reason"), "the next reopening needs its own reason"
		)
		self.assertTrue(frappe.db.get_value("Case", name, "last_activity_on"))

	def test_ended_cases_are_read_only(self):
		name = case_in("Closed", PEOPLE[CASEWORKER])
		for role in (COORDINATOR, CASEWORKER):
			self.as_user(role)
			case = frappe.get_doc("Case", name)
			case.casework_notes = "A late note."
			with self.assertRaises(frappe.PermissionError):
				case.save()

	def test_a_caseworker_writes_notes_but_not_control_fields(self):
		name = case_in("Under Review", PEOPLE[CASEWORKER])
		self.as_user(CASEWORKER)
		case = frappe.get_doc("Case", name)
		case.casework_notes = "Spoke to the doctor."
		case.append("deadlines", {"description": "Reply to the trust", "due_date": "2027-01-15"})
		case.save()
		case.priority = "High"
		with self.assertRaises(frappe.PermissionError):
			case.save()

	def test_possible_duplicates_are_linked_both_ways_by_each_new_case_s_job(self):
		first = submit_through_form(email="twice@example.com", gmc_number="1111111").name
		by_gmc = submit_through_form(email="other@example.com", gmc_number="1111111").name
		second = submit_through_form(email="twice@example.com", gmc_number="").name
		related = lambda name: {  # noqa: E731
			(row.related_case, row.relation) for row in frappe.get_doc("Case", name).related_cases
		}
		self.assertEqual([related(name) for name in (first, by_gmc, second)], [set()] * 3, "not as saved")
		for name in (first, by_gmc, second):
			send_owed_intake_mail(name)
		self.assertEqual(related(second), {(first, "Possible duplicate")})
		self.assertEqual(related(by_gmc), {(first, "Possible duplicate")})
		self.assertEqual(related(first), {(by_gmc, "Possible duplicate"), (second, "Possible duplicate")})
		notes = {row.related_case: row.note for row in frappe.get_doc("Case", first).related_cases}
		self.assertEqual(notes, {by_gmc: "Same GMC number", second: "Same email address"})

	def test_with_mail_muted_possible_duplicates_are_linked_as_the_case_is_saved(self):
		first = submit_through_form(email="muted-twice@example.com", gmc_number="").name
		frappe.flags.mute_emails = True
		try:
			second = submit_through_form(email="muted-twice@example.com", gmc_number="")
		finally:
			frappe.flags.mute_emails = False
		self.assertEqual([row.related_case for row in second.related_cases], [first])
		self.assertEqual(
			[row.related_case for row in frappe.get_doc("Case", first).related_cases], [second.name]
		)
		# the copy the caller holds is the stored one, so saving it again is not refused as out of date
		second.save(ignore_permissions=True)

	def test_related_cases_are_linked_both_ways(self):
		one, two = case_in("Triage"), case_in("Triage")
		self.as_user(COORDINATOR)
		case = frappe.get_doc("Case", one)
		case.append("related_cases", {"related_case": two, "relation": "Related", "note": "Same ward"})
		case.save()
		self.assertEqual([row.related_case for row in frappe.get_doc("Case", two).related_cases], [one])
		case = frappe.get_doc("Case", one)
		case.related_cases = []
		case.save()
		self.assertEqual(frappe.get_doc("Case", two).related_cases, [])

	def test_a_caseworker_cannot_link_a_case_they_cannot_see(self):
		mine, theirs = case_in("Under Review", PEOPLE[CASEWORKER]), case_in("Under Review", OTHER_CASEWORKER)
		self.as_user(CASEWORKER)
		case = frappe.get_doc("Case", mine)
		case.append("related_cases", {"related_case": theirs})
		with self.assertRaises(frappe.LinkValidationError) as refused:
			case.save()
		case = frappe.get_doc("Case", mine)
		case.append("related_cases", {"related_case": "LNB-1999-99999"})
		with self.assertRaises(frappe.LinkValidationError) as missing:
			case.save()
		self.assertEqual(
			str(refused.exception).replace(theirs, "X"), str(missing.exception).replace("LNB-1999-99999", "X")
		)

	def test_each_move_is_on_the_case_timeline_once(self):
		from lnb_casework.casework.timeline import case_timeline

		name = case_in("Allocated", PEOPLE[CASEWORKER])
		self.as_user(CASEWORKER)
		apply_workflow(frappe.get_doc("Case", name), "Start review")
		review = frappe.get_doc({"doctype": "Review", "case": name, "circumstances": "Rota gaps."}).insert()
		items = case_timeline("Case", name)
		self.assertIn(review.name, " ".join(item["content"] for item in items))
		self.assertTrue(all(item["creation"] for item in items))
		self.assertEqual(len(items), 1, "the app adds the reviews, not the moves")
		moves = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Case", "reference_name": name, "comment_type": "Workflow"},
			pluck="content",
		)
		self.assertEqual(moves, ["Under Review"])
		# Frappe's timeline leaves hidden fields out of a change, so the state's change is not told twice
		self.assertTrue(frappe.get_meta("Case").get_field("workflow_state").hidden)

	def test_a_caseworker_emails_only_the_doctor_from_a_case(self):
		name = case_in("Under Review", PEOPLE[CASEWORKER])
		doctor = frappe.db.get_value("Case", name, "email")
		self.as_user(CASEWORKER)

		def email(recipients: str, cc: str = ""):
			# what the form's "New Email" (frappe...communication.email.make) saves before it queues it
			self.assertTrue(frappe.has_permission("Case", "email", name))
			return frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": "Sent",
					"reference_doctype": "Case",
					"reference_name": name,
					"recipients": recipients,
					"cc": cc,
					"subject": "Your case",
					"content": "Hello",
				}
			).insert(ignore_permissions=True)

		self.assertTrue(email(doctor).name)
		for recipients, cc in (("someone@example.com", ""), (doctor, "someone@example.com")):
			with self.assertRaises(frappe.PermissionError):
				email(recipients, cc)
		self.as_user(COORDINATOR)
		self.assertTrue(email("bma@example.com").name)
