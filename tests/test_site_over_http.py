"""The test site, served by a real web process, answers as a visitor and an administrator would see it."""

VERSIONS = "/api/method/frappe.utils.change_log.get_versions"


def test_login_page_answers(guest, base_url):
	response = guest.get(f"{base_url}/login", timeout=30)
	assert response.status_code == 200
	assert "login" in response.text.lower()


def test_app_is_listed_in_versions_for_administrator(administrator, base_url):
	response = administrator.get(f"{base_url}{VERSIONS}", timeout=30)
	assert response.status_code == 200
	versions = response.json()["message"]
	assert versions["lnb_casework"]["title"] == "LNB Casework"
	assert versions["lnb_casework"]["version"]
	assert "frappe" in versions


def test_versions_are_not_shown_to_a_guest(guest, base_url):
	response = guest.get(f"{base_url}{VERSIONS}", timeout=30)
	assert response.status_code == 403
