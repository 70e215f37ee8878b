"""The six SEIPS 2.0 work-system components, as records a systemic issue links to.

A Table MultiSelect needs a Link field, so the components are records; each is named by its component, so
the stored values are the component strings that reports, reviews and the learning summary compare.
"""

import frappe
from frappe.model.document import Document

SEIPS_COMPONENTS = (
	("Person(s)", "The people doing the work: their skills, knowledge, health and needs."),
	("Tasks", "What the work asks of people: its demands, complexity, pace and variety."),
	("Tools and technology", "Equipment, IT systems and other tools, and how usable they are."),
	("Organisation", "Culture, staffing, supervision, policies, training and how work is scheduled."),
	("Internal environment", "The physical workplace: space, layout, noise, light and temperature."),
	("External environment", "Regulation, commissioning, national policy and wider society."),
)


def seips_components() -> list[str]:
	"""The component names, in SEIPS order."""
	return [name for name, _description in SEIPS_COMPONENTS]


def ensure_seips_components() -> None:
	"""Makes the six component records, or puts back their order and wording (idempotent)."""
	for position, (name, description) in enumerate(SEIPS_COMPONENTS, start=1):
		if frappe.db.exists("SEIPS Component", name):
			frappe.db.set_value(
				"SEIPS Component",
				name,
				{"position": position, "description": description},
				update_modified=False,
			)
		else:
			frappe.get_doc(
				{
					"doctype": "SEIPS Component",
					"component": name,
					"description": description,
					"position": position,
				}
			).insert(ignore_permissions=True)


class SEIPSComponent(Document):
	pass
