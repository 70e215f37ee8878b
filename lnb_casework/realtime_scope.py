"""Realtime events about casework reach only the users who may read the record (docs/realtime.md).

Frappe tells the desk that a record changed with `list_update` ({doctype, name, user}), published to the
doctype's room, which anyone with doctype-level read may join: a caseworker listening on the Case list
would learn every case's reference and who saved it. The doctypes named in hooks.py's
`override_doctype_class` (the app's casework records and Frappe's records about a case) publish it instead
to the room of each user who may read that record, by the row rules (`frappe.has_permission`); and any
doctype's room is open only to those who read every row of it (`can_subscribe_doctype`). Events in a record's
own room (`doc_update`, `docinfo_update`: comments, emails, attachments) are already checked by Frappe
against the row rules when a user asks to join it.
"""

from functools import partial

import frappe
from frappe.core.doctype.comment.comment import Comment as FrappeComment
from frappe.core.doctype.communication.communication import Communication as FrappeCommunication
from frappe.core.doctype.file.file import File as FrappeFile
from frappe.core.doctype.version.version import Version as FrappeVersion
from frappe.core.doctype.view_log.view_log import ViewLog as FrappeViewLog
from frappe.desk.doctype.tag_link.tag_link import TagLink as FrappeTagLink
from frappe.desk.doctype.todo.todo import ToDo as FrappeToDo
from frappe.model.db_query import DatabaseQuery
from frappe.model.document import Document
from frappe.permissions import get_doctype_roles
from frappe.query_builder import DocType
from frappe.realtime import emit_via_redis, get_user_room
from frappe.workflow.doctype.workflow_action.workflow_action import WorkflowAction as FrappeWorkflowAction

from lnb_casework.lnb_casework.doctype.case.case import Case as AppCase
from lnb_casework.lnb_casework.doctype.case_state_change.case_state_change import (
	CaseStateChange as AppCaseStateChange,
)
from lnb_casework.lnb_casework.doctype.caseworker_profile.caseworker_profile import (
	CaseworkerProfile as AppCaseworkerProfile,
)
from lnb_casework.lnb_casework.doctype.equality_monitoring.equality_monitoring import (
	EqualityMonitoring as AppEqualityMonitoring,
)
from lnb_casework.lnb_casework.doctype.erasure_request.erasure_request import (
	ErasureRequest as AppErasureRequest,
)
from lnb_casework.lnb_casework.doctype.lnb_alert_log.lnb_alert_log import LNBAlertLog as AppLNBAlertLog
from lnb_casework.lnb_casework.doctype.owed_intake_mail.owed_intake_mail import (
	OwedIntakeMail as AppOwedIntakeMail,
)
from lnb_casework.lnb_casework.doctype.review.review import Review as AppReview
from lnb_casework.lnb_casework.doctype.subject_access_request.subject_access_request import (
	SubjectAccessRequest as AppSubjectAccessRequest,
)
from lnb_casework.lnb_casework.doctype.systemic_issue_evidence.systemic_issue_evidence import (
	SystemicIssueEvidence as AppSystemicIssueEvidence,
)
from lnb_casework.permissions import RECORDS_ABOUT_DOCUMENTS, SEES_EVERY_CASE

ADMINISTRATOR = "Administrator"


def case_in_question(doc: Document) -> str | None:
	"""The case the record is, belongs to or is about (through one of its reviews), if any."""
	if doc.doctype == "Case":
		return doc.name
	case_field = doc.meta.get_field("case")
	if case_field and case_field.options == "Case":
		return doc.get("case")
	doctype_field, name_field = RECORDS_ABOUT_DOCUMENTS.get(doc.doctype, (None, None))
	if doctype_field is None:
		return None
	kind, name = doc.get(doctype_field), doc.get(name_field)
	if kind == "Case":
		return name
	if kind == "Review":
		return frappe.db.get_value("Review", name, "case")
	return None


def holders_of(roles: set[str]) -> set[str]:
	"""The enabled users who hold any of these roles."""
	if not roles:
		return set()
	has_role, user = DocType("Has Role"), DocType("User")
	query = (
		frappe.qb.from_(has_role)
		.join(user)
		.on(has_role.parent == user.name)
		.select(user.name)
		.distinct()
		.where((has_role.parenttype == "User") & has_role.role.isin(list(roles)) & (user.enabled == 1))
	)
	return set(query.run(pluck=True))


def who_might_read(doc: Document) -> set[str] | None:
	"""Everyone who could be allowed to read the record (the row rules then decide), or None for a record of
	Frappe's that is not about a case, whose list updates Frappe publishes as it always does.

	Only those who see every case, and the caseworker the case is allocated to, can read a case or anything
	about it, so nobody else is asked."""
	case = case_in_question(doc)
	if case:
		caseworker = (
			doc.get("caseworker")
			if doc.doctype == "Case"
			else frappe.db.get_value("Case", case, "caseworker")
		)
		return holders_of(SEES_EVERY_CASE) | {ADMINISTRATOR, caseworker} - {None}
	if doc.doctype == "Caseworker Profile":
		return holders_of(SEES_EVERY_CASE) | {ADMINISTRATOR, doc.get("user")} - {None}
	if not doc.meta.custom and doc.meta.module != "LNB Casework":
		return None
	return holders_of(set(get_doctype_roles(doc.doctype))) | {ADMINISTRATOR}


def readers_of(doc: Document) -> list[str] | None:
	"""The users who may read the record, by the row rules; None as for `who_might_read`."""
	candidates = who_might_read(doc)
	if candidates is None:
		return None
	return sorted(
		user for user in candidates if frappe.has_permission(doc.doctype, "read", doc=doc, user=user)
	)


def send_to_rooms(event: str, message: dict, rooms: list[str]) -> None:
	for room in rooms:
		emit_via_redis(event, message, room)


class ReachesOnlyItsReaders:
	"""Publishes `list_update` to the rooms of the record's readers instead of the doctype's room."""

	def notify_update(self) -> None:
		readers = readers_of(self)
		if readers is None:
			return super().notify_update()
		if frappe.flags.in_patch:
			return
		frappe.publish_realtime(
			"doc_update",
			{"modified": self.modified, "doctype": self.doctype, "name": self.name},
			doctype=self.doctype,
			docname=self.name,
			after_commit=True,
		)
		if self.meta.get("read_only") or self.meta.get("issingle") or self.meta.get("istable"):
			return
		message = {"doctype": self.doctype, "name": self.name, "user": frappe.session.user}
		rooms = [get_user_room(user) for user in readers]
		frappe.db.after_commit.add(partial(send_to_rooms, "list_update", message, rooms))


def sees_every_row(doctype: str, user: str) -> bool:
	"""Whether the user's list of the doctype has no row condition at all (role, user permission, owner or
	row rule)."""
	if user == ADMINISTRATOR:
		return True
	return DatabaseQuery(doctype, user=user).build_match_conditions() == ""


@frappe.whitelist(allow_guest=True)
def can_subscribe_doctype(doctype: str) -> bool:
	"""Frappe's check before a user joins a doctype's room (override_whitelisted_methods in hooks.py), which
	hears of every row saved: refused to anyone who may not read every row."""
	if not frappe.has_permission(doctype=doctype, ptype="read") or not sees_every_row(
		doctype, frappe.session.user
	):
		raise frappe.PermissionError
	return True


# ---- the classes hooks.py puts in place of each scoped doctype's own


class Case(ReachesOnlyItsReaders, AppCase):
	pass


class Review(ReachesOnlyItsReaders, AppReview):
	pass


class CaseStateChange(ReachesOnlyItsReaders, AppCaseStateChange):
	pass


class CaseworkerProfile(ReachesOnlyItsReaders, AppCaseworkerProfile):
	pass


class SubjectAccessRequest(ReachesOnlyItsReaders, AppSubjectAccessRequest):
	pass


class ErasureRequest(ReachesOnlyItsReaders, AppErasureRequest):
	pass


class OwedIntakeMail(ReachesOnlyItsReaders, AppOwedIntakeMail):
	pass


class LNBAlertLog(ReachesOnlyItsReaders, AppLNBAlertLog):
	pass


class EqualityMonitoring(ReachesOnlyItsReaders, AppEqualityMonitoring):
	pass


class SystemicIssueEvidence(ReachesOnlyItsReaders, AppSystemicIssueEvidence):
	pass


class Comment(ReachesOnlyItsReaders, FrappeComment):
	pass


class Communication(ReachesOnlyItsReaders, FrappeCommunication):
	pass


class File(ReachesOnlyItsReaders, FrappeFile):
	pass


class ToDo(ReachesOnlyItsReaders, FrappeToDo):
	pass


class Version(ReachesOnlyItsReaders, FrappeVersion):
	pass


class ViewLog(ReachesOnlyItsReaders, FrappeViewLog):
	pass


class WorkflowAction(ReachesOnlyItsReaders, FrappeWorkflowAction):
	pass


class TagLink(ReachesOnlyItsReaders, FrappeTagLink):
	pass
