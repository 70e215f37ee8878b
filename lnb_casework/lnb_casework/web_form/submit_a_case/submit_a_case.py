import frappe
from frappe import _

from lnb_casework.api.intake import ANSWERS_CHECKED_ALONE, row_block_labels
from lnb_casework.intake.rules import MOST_ROWS, intake_problems
from lnb_casework.intake.uploads import ACCEPTED_EXTENSIONS, MOST_BYTES_IN_ALL, accepted_kinds
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import contact_address, get_lnb_settings

# the answers to "Do you think discrimination played a part?" after which the form asks which kinds
DISCRIMINATION_KINDS_ASKED = ("Yes", "Not sure")


def get_context(context):
	"""What the form's script shows: the consent wording of now, the limits on files, the blocks of rows it
	builds in place of tables, and what the server says of an answer left blank."""
	settings = get_lnb_settings()
	context.no_cache = 1
	context.lnb_intake = {
		"consent_wording": settings.consent_wording,
		"consent_version": settings.consent_version,
		"contact_address": contact_address(),
		"documents_hint": _(
			"You may attach up to {0} files of up to {1} MB each ({2} MB in all): letters, emails, reports or notes. {3}."
		).format(
			settings.max_attachments,
			settings.max_attachment_size_mb,
			MOST_BYTES_IN_ALL // (1024 * 1024),
			accepted_kinds(),
		),
		"accepted_extensions": [f".{extension}" for extension in ACCEPTED_EXTENSIONS],
		"row_blocks": row_blocks(),
		"discrimination_kinds_asked": DISCRIMINATION_KINDS_ASKED,
		"problems_when_blank": intake_problems({}, {}, consent_needed=True),
		# what lnb_casework.api.intake.answer_problem checks as the doctor leaves an answer
		"checked_alone": ANSWERS_CHECKED_ALONE,
	}


def row_blocks() -> dict[str, dict]:
	"""One block per table: its question, and for each row the answers asked, as the child doctype has them."""
	labels = row_block_labels()
	blocks = {
		"processes": {
			"description": _(
				"For example an MHPS investigation, an exclusion, a GMC referral or an employment tribunal."
			),
			"add": _("Add a process"),
			"row": _("Process {0}"),
			"empty": _("None added. Add one for each process you face."),
		},
		"key_dates": {
			"description": _("For example a hearing date, or the date by which you must reply."),
			"add": _("Add a date"),
			"row": _("Date {0}"),
			"empty": _("None added (optional)."),
		},
		"discrimination_kinds": {
			"description": _("Add each kind you think played a part."),
			"add": _("Add a kind of discrimination"),
			"row": _("Kind {0}"),
			"empty": _("None added."),
		},
	}
	case_meta = frappe.get_meta("Case")
	for table, block in blocks.items():
		child_meta = frappe.get_meta(case_meta.get_field(table).options)
		block["label"] = labels[table]
		block["most"] = MOST_ROWS[table]
		block["remove"] = _("Remove")
		block["columns"] = [
			{
				"fieldname": df.fieldname,
				"fieldtype": df.fieldtype,
				"label": _(df.label),
				"reqd": df.reqd,
				"options": [
					{"value": option, "label": _(option)}
					for option in (df.options or "").split("\n")
					if df.fieldtype == "Select"
				],
			}
			for df in child_meta.fields
			if df.fieldtype in ("Select", "Data", "Date")
		]
	return blocks
