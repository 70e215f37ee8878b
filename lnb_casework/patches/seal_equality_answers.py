"""Seals the equality answers that sites before sealing kept in clear, then drops their old columns.

Runs after the model sync, which has already added `sealed_answers` and left the old answer columns in
place (Frappe drops no column of a field that became virtual). Idempotent: a record already sealed keeps
its seal, and once the old columns are gone there is nothing left to do.
"""

import frappe

from lnb_casework.intake.equality import EQUALITY_QUESTIONS, answer_seal

TABLE = "tabEquality Monitoring"


def execute() -> None:
	# the cached column list may predate the model sync
	frappe.cache.hdel("table_columns", TABLE)
	in_clear = [
		question for question in EQUALITY_QUESTIONS if frappe.db.has_column("Equality Monitoring", question)
	]
	if not in_clear:
		return
	columns = ", ".join(f"`{question}`" for question in in_clear)
	unsealed = frappe.db.sql(
		f"select name, `case`, {columns} from `{TABLE}` where ifnull(sealed_answers, '') = ''", as_dict=True
	)
	seal = answer_seal()
	for record in unsealed:
		answers = {question: record[question] for question in in_clear}
		frappe.db.sql(
			f"update `{TABLE}` set sealed_answers = %s where name = %s",
			(seal.seal(record.case, answers), record.name),
		)
	frappe.db.commit()
	frappe.db.sql_ddl(f"alter table `{TABLE}` {', '.join(f'drop column `{q}`' for q in in_clear)}")
	frappe.cache.hdel("table_columns", TABLE)
