"""What the intake form sends, and how the HTTP tests send it."""

import base64
import json

import frappe

# the intake's own guest endpoint, which the form's script calls
INTAKE = "/api/method/lnb_casework.api.intake.submit"
# Frappe's web form endpoint, left as Frappe ships it: it must never make a case
FRAPPE_ACCEPT = "/api/method/frappe.website.doctype.web_form.web_form.accept"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def data_url(content: bytes, mime: str = "application/pdf") -> str:
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def answers(address: str, **changes) -> dict:
	consent_version = frappe.db.get_single_value("LNB Settings", "consent_version")
	values = {
		"doctor_name": "Dr Olu Adeyemi",
		"email": address,
		"phone": "+44 7700 900456",
		"contact_preference": "Phone",
		"gmc_number": "1234567",
		"grade": "Specialty, associate specialist or specialist (SAS)",
		"specialty": "Emergency medicine",
		"employer_name": "Westshire University Hospitals",
		"what_happened": "After I raised concerns about rota gaps I was referred to the GMC by my employer.",
		"processes": [
			{"process_type": "GMC fitness to practise", "details": "provisional enquiry"},
			{"process_type": "Whistleblowing (raising concerns)"},
		],
		"key_dates": [{"description": "Reply to the GMC", "date": "2027-01-08"}],
		"discrimination": "Yes",
		"discrimination_kinds": [{"kind": "Race"}],
		"wellbeing": "I am safe and do not need urgent support",
		"equality_ethnic_group": "Black, Black British, Caribbean or African",
		"equality_age_band": "40–49",
		"equality_religion_or_belief": "Prefer not to say",
		"consent_given": 1,
		"lnb_consent_version": consent_version,
		"lnb_attachments": [{"file_name": "gmc-letter.pdf", "content": data_url(PDF)}],
	}
	values.update(changes)
	return values


def submit(session, base_url, payload, raw: str | None = None):
	return session.post(
		f"{base_url}{INTAKE}",
		data={"data": raw if raw is not None else json.dumps(payload)},
		timeout=60,
	)


def cases_for(email: str) -> list[str]:
	frappe.db.rollback()
	return frappe.get_all("Case", filters={"email": email}, pluck="name")


def server_message(response) -> str:
	return " ".join(
		json.loads(message)["message"] for message in json.loads(response.json()["_server_messages"])
	)


def remove_intake_case(name: str) -> None:
	"""Takes away a case made by an intake test, with its files and queued mail."""
	for file in frappe.get_all(
		"File", filters={"attached_to_doctype": "Case", "attached_to_name": name}, pluck="name"
	):
		frappe.delete_doc("File", file, ignore_permissions=True, force=True)
	frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": name})
	frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
