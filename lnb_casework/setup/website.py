"""The public pages are Learn Not Blame's: its name in the top bar and on the sign-in page, the intake form
as the home page, a contact address and a link to the accessibility statement in the footer, and no "Built on
Frappe" or "Login" link leading a doctor to a sign-in page that is not for them (staff sign in at /login, or
are sent there by /app).

Website Settings are the app's to set: they are put back after every migrate and whenever LNB Settings,
which holds the contact address, is saved.
"""

import frappe
from frappe import _
from frappe.utils import escape_html

BRAND = "Learn Not Blame"
HOME_PAGE = "submit-a-case"
CAMPAIGN_PAGE = "https://www.dauk.org/learn-not-blame/"
# the page lnb_casework/www/accessibility.html, linked from the footer of every public page
ACCESSIBILITY_STATEMENT = "/accessibility"


def show_learn_not_blame_on_public_pages(contact_address: str) -> None:
	settings = frappe.get_single("Website Settings")
	address = escape_html(contact_address)
	wanted = {
		"app_name": BRAND,
		"brand_html": escape_html(BRAND),
		"home_page": HOME_PAGE,
		"hide_login": 1,
		"show_footer_on_login": 1,
		"disable_signup": 1,
		"copyright": _("Doctors' Association UK"),
		"address": _("Write to Learn Not Blame: {0}").format(f'<a href="mailto:{address}">{address}</a>'),
		"footer_powered": _("{0} is a campaign of the Doctors' Association UK.").format(
			f'<a href="{CAMPAIGN_PAGE}">{escape_html(BRAND)}</a>'
		),
	}
	footer_links = [{"label": _("Accessibility statement"), "url": ACCESSIBILITY_STATEMENT}]
	shown_links = [{"label": item.label, "url": item.url} for item in settings.footer_items]
	if shown_links != footer_links or any(settings.get(field) != value for field, value in wanted.items()):
		settings.update(wanted)
		settings.set("footer_items", footer_links)
		settings.save(ignore_permissions=True)
