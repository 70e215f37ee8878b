"""Equality answers sealed at rest, after a real intake over HTTP: the table holds no answer in clear, an SQL
expression that got past the request layer reads only ciphertext, and a System Manager still reads them."""

import frappe
import pytest
from intake_payloads import answers, submit

from lnb_casework.intake.equality import EQUALITY_QUESTIONS, equality_answers_of
from lnb_casework.intake.sealed_answers import ANSWER_CODES

EVERY_ANSWER = {answer for answers in ANSWER_CODES.values() for answer in answers}
# A short answer ("No", "Yes") turns up inside random base64 by chance; one of five letters or more never does.
LONG_ANSWERS = {answer for answer in EVERY_ANSWER if len(answer) >= 5}
SENT = {
	**dict.fromkeys(EQUALITY_QUESTIONS),
	"ethnic_group": "Black, Black British, Caribbean or African",
	"age_band": "40–49",
	"religion_or_belief": "Prefer not to say",
	"sexual_orientation": "Gay or lesbian",
	"disability": "No",
}


@pytest.fixture()
def sealed_case(guest, base_url, intake_open, doctor_email) -> str:
	payload = answers(doctor_email, equality_sexual_orientation="Gay or lesbian", equality_disability="No")
	response = submit(guest, base_url, payload)
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	return response.json()["message"]["name"]


def answers_in_clear(values) -> list:
	"""The values that are an answer, or hold one long enough not to be there by chance."""
	return [
		value
		for value in map(str, values)
		if value in EVERY_ANSWER or any(answer in value for answer in LONG_ANSWERS)
	]


def every_column_of_the_record(case: str) -> str:
	"""What an attacker's subquery gets from one record: every column, joined."""
	columns = frappe.db.get_table_columns("Equality Monitoring")
	joined = ", ".join(f"`{column}`" for column in columns)
	return frappe.db.sql(
		f"select (select concat_ws('|', {joined}) from `tabEquality Monitoring` where `case` = %s)",
		case,
	)[0][0]


def test_the_table_holds_no_answer_in_clear(sealed_case):
	columns = frappe.db.get_table_columns("Equality Monitoring")
	assert not set(EQUALITY_QUESTIONS) & set(columns), columns
	rows = frappe.db.sql("select * from `tabEquality Monitoring`")
	values = [value for row in rows for value in row]
	print(f"\n{len(rows)} Equality Monitoring records, {len(values)} values read raw, none an answer")
	assert sealed_case in values
	assert answers_in_clear(values) == []


def test_an_sql_expression_reads_only_ciphertext(sealed_case):
	# the payload, as the database would run it once past the request layer: the columns are gone
	with pytest.raises(Exception) as refused:
		frappe.db.sql(
			"""select greatest(1, (select concat_ws('|', ethnic_group, sex, age_band)
			from `tabEquality Monitoring` where `case` = %s))""",
			sealed_case,
		)
	assert frappe.db.is_missing_column(refused.value)
	frappe.db.rollback()

	leaked = every_column_of_the_record(sealed_case)
	print(f"\nwhat a subquery reads of {sealed_case}'s record: {leaked}")
	assert sealed_case in leaked
	assert answers_in_clear(leaked.split("|")) == []


def test_the_answers_open_for_the_report_and_for_a_system_manager(sealed_case, administrator, base_url):
	assert equality_answers_of([sealed_case, "LNB-1999-99999"]) == {sealed_case: SENT}

	record = frappe.db.get_value("Equality Monitoring", {"case": sealed_case})
	response = administrator.get(
		f"{base_url}/api/method/frappe.desk.form.load.getdoc",
		params={"doctype": "Equality Monitoring", "name": record},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	shown = response.json()["docs"][0]
	assert {question: shown.get(question) for question in EQUALITY_QUESTIONS} == SENT
