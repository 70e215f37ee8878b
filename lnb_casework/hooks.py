app_name = "lnb_casework"
app_title = "LNB Casework"
app_publisher = "DAUK Learn Not Blame"
app_description = "Casework for Learn Not Blame: doctors' cases, reviews, systemic issues and advocacy"
app_email = "learnnotblame@dauk.org"
app_license = "mit"

export_python_type_annotations = True

after_install = "lnb_casework.setup.install.after_install"
after_migrate = "lnb_casework.setup.install.after_migrate"

# Frappe's methods that skip the row rules, made to apply them (api/client.py)
override_whitelisted_methods = {
	"frappe.client.get_count": "lnb_casework.api.client.get_count",
	"frappe.desk.listview.get_group_by_count": "lnb_casework.api.client.get_group_by_count",
	"frappe.desk.doctype.tag.tag.get_tagged_docs": "lnb_casework.api.client.get_tagged_docs",
	"frappe.desk.doctype.tag.tag.get_tags_list_for_awesomebar": (
		"lnb_casework.api.client.get_tags_list_for_awesomebar"
	),
	# the sign-in page's mail: the same answer whatever the address, and no session without the code
	# (api/sign_in.py, docs/two-factor.md)
	"frappe.core.doctype.user.user.reset_password": "lnb_casework.api.sign_in.reset_password",
	"frappe.core.doctype.user.user.update_password": "lnb_casework.api.sign_in.update_password",
	"frappe.www.login.send_login_link": "lnb_casework.api.sign_in.send_login_link",
	"frappe.core.api.file.unzip_file": "lnb_casework.api.client.unzip_file",
	"frappe.utils.file_manager.add_attachments": "lnb_casework.api.client.add_attachments",
	# a doctype's room hears of every row saved: only for those who read every row (realtime_scope.py)
	"frappe.realtime.can_subscribe_doctype": "lnb_casework.realtime_scope.can_subscribe_doctype",
	# Frappe's methods that act on a document the client sends back: judged by the stored record first
	# (api/documents.py)
	**dict.fromkeys(
		("run_doc_method", "runserverobj", "frappe.handler.run_doc_method", "frappe.handler.runserverobj"),
		"lnb_casework.api.documents.run_doc_method",
	),
	**{
		f"{module}.{method}": f"lnb_casework.api.documents.{method}"
		for module, methods in (
			("frappe.desk.form.save", ("savedocs",)),
			("frappe.client", ("save", "submit", "insert", "insert_many")),
			("frappe.www.printview", ("get_html_and_style", "get_rendered_raw_commands")),
		)
		for method in methods
	},
}

# The public pages' contrast, focus and screen reader fixes, the sign-in page's too: docs/accessibility.md.
web_include_css = "/assets/lnb_casework/css/public_pages.css"
web_include_js = "/assets/lnb_casework/js/public_pages.js"

# Runs once the request's user is known (session cookie or API key), and as its answer goes out: see
# request_guard.py.
auth_hooks = [
	"lnb_casework.request_guard.refuse_requests_that_would_reveal_records",
	# REST API v2's document methods, which no override reaches (api/documents.py)
	"lnb_casework.api.documents.judge_version_2_document_methods",
]
after_request = [
	"lnb_casework.request_guard.answer_not_found_as_not_permitted",
	"lnb_casework.audit.reads.record_views_of_the_answer",
	"lnb_casework.sign_in.attempts.answer_too_many_attempts",
]
# Every way to a session (password and code, mailed link, reset key, social login, LDAP, impersonation) asks
# for the second factor: sign_in/second_factor.py, docs/two-factor.md.
on_login = ["lnb_casework.sign_in.second_factor.refuse_a_session_without_the_second_factor"]

# Frappe empties the site's cache at every two-factor code entry; the QR code links mailed to a new volunteer
# (keys of 20 hex digits, then _uri or _user) live there and must outlast others' sign-ins:
# docs/two-factor.md.
persistent_cache_keys = ["[0-9a-f]" * 20 + "_u"]

# One row rule per doctype (lnb_casework/permissions.py), for lists, documents, counts, reports and search.
permission_query_conditions = {
	"Case": "lnb_casework.permissions.case_query_conditions",
	"Review": "lnb_casework.permissions.review_query_conditions",
	"Case State Change": "lnb_casework.permissions.case_state_change_query_conditions",
	"Caseworker Profile": "lnb_casework.permissions.caseworker_profile_query_conditions",
	"File": "lnb_casework.permissions.file_query_conditions",
	"Comment": "lnb_casework.permissions.comment_query_conditions",
	"Communication": "lnb_casework.permissions.communication_query_conditions",
	"Version": "lnb_casework.permissions.version_query_conditions",
	"View Log": "lnb_casework.permissions.view_log_query_conditions",
	"ToDo": "lnb_casework.permissions.todo_query_conditions",
	"Workflow Action": "lnb_casework.permissions.workflow_action_query_conditions",
	"Tag Link": "lnb_casework.permissions.tag_link_query_conditions",
	"Document Follow": "lnb_casework.permissions.document_follow_query_conditions",
	"Energy Point Log": "lnb_casework.permissions.energy_point_log_query_conditions",
	"Notification Log": "lnb_casework.permissions.notification_log_query_conditions",
	**{
		child_table: "lnb_casework.permissions.child_row_query_conditions"
		for child_table in (
			"Case Process",
			"Case Key Date",
			"Case Discrimination Kind",
			"Case Deadline",
			"Related Case",
			"Case Intake Correction",
			"Review Procedural Failure",
			"Review Unfairness",
			"Review Systemic Factor",
		)
	},
}
has_permission = {
	"Case": "lnb_casework.permissions.case_has_permission",
	"Caseworker Profile": "lnb_casework.permissions.caseworker_profile_has_permission",
	"View Log": "lnb_casework.audit.views.view_log_has_permission",
	**{
		doctype: "lnb_casework.permissions.about_case_has_permission"
		for doctype in (
			"Review",
			"Case State Change",
			"File",
			"Comment",
			"Communication",
			"Version",
			"ToDo",
			"Workflow Action",
			"Tag Link",
			"Document Follow",
			"Energy Point Log",
			"Notification Log",
		)
	},
}

doc_events = {
	# every failed sign-in: counted by address; an unknown account costs what a real one does (sign_in/)
	"Activity Log": {"before_insert": "lnb_casework.sign_in.attempts.note_failed_sign_in"},
	"DocShare": {"validate": "lnb_casework.casework.guards.refuse_sharing"},
	"View Log": {
		"before_insert": "lnb_casework.audit.views.note_how_the_desk_viewed",
		"validate": "lnb_casework.audit.views.refuse_changes",
		"on_trash": "lnb_casework.audit.views.refuse_deletion",
	},
	"ToDo": {"validate": "lnb_casework.casework.guards.keep_assignment_to_allocation"},
	"File": {"validate": "lnb_casework.casework.guards.keep_case_files_private"},
	"Communication": {"validate": "lnb_casework.casework.guards.keep_case_email_to_the_doctor"},
	"Personal Data Deletion Request": {
		"validate": "lnb_casework.data_protection.deletion_requests.erase_the_doctors_cases"
	},
	"User": {
		"before_validate": "lnb_casework.casework.guards.note_system_manager_before_validation",
		"validate": "lnb_casework.casework.guards.keep_users_from_system_manager_unless_given",
	},
}

# Their list updates reach only the users who may read the record, by the row rules: docs/realtime.md.
override_doctype_class = {
	doctype: f"lnb_casework.realtime_scope.{doctype.replace(' ', '')}"
	for doctype in (
		"Case",
		"Review",
		"Case State Change",
		"Caseworker Profile",
		"Subject Access Request",
		"Erasure Request",
		"Owed Intake Mail",
		"LNB Alert Log",
		"Equality Monitoring",
		"Systemic Issue Evidence",
		"Comment",
		"Communication",
		"File",
		"ToDo",
		"Version",
		"View Log",
		"Workflow Action",
		"Tag Link",
	)
}

additional_timeline_content = {"Case": ["lnb_casework.casework.timeline.case_timeline"]}

jinja = {"methods": ["lnb_casework.learning.summary.learning_summary"]}

# Every morning, UK time (the site's time zone): alerts for what has fallen due since yesterday; and every
# five minutes, a new case's mail still owed because its own job never ran (docs/intake-mail.md).
scheduler_events = {
	"cron": {
		"*/5 * * * *": ["lnb_casework.intake.alerts.send_intake_mail_still_owed"],
		# closed cases past their retention period are anonymised before the day's alerts go out
		"0 5 * * *": ["lnb_casework.data_protection.retention_job.anonymise_cases_past_retention"],
		# an hour before the alerts, so the reminders see each exclusion review already rolled on
		"0 6 * * *": ["lnb_casework.deadlines.case_deadlines.roll_passed_exclusion_reviews"],
		"0 7 * * *": [
			"lnb_casework.alerts.scheduled.send_deadline_reminders",
			"lnb_casework.alerts.scheduled.send_stalled_case_alerts",
			"lnb_casework.alerts.scheduled.send_overdue_action_alerts",
			"lnb_casework.alerts.scheduled.send_weekly_digest",
		],
	}
}

# The form sidebar offers only what the server allows (lnb_casework/public/js/form_sidebar.js).
doctype_js = {
	doctype: "public/js/form_sidebar.js"
	for doctype in ("Case", "Review", "Systemic Issue", "Advocacy Action", "Healthcare Organisation")
}

boot_session = [
	"lnb_casework.boot.workspaces_the_user_may_open",
	"lnb_casework.boot.rules_the_desk_scripts_read",
]

# Frappe's Personal Data Download and Deletion Requests: the cases of a doctor who has an account, by email.
# A deletion anonymises them first (doc_events above: data_protection/deletion_requests.py); not "partial",
# since Frappe's partial redaction writes to every text field, the Case's virtual ones too, and fails.
user_data_fields = [
	{
		"doctype": "Case",
		"filter_by": "email",
		"redact_fields": ["doctor_name", "email", "phone", "gmc_number"],
	}
]
