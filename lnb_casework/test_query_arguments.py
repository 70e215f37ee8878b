"""The allow-list of query arguments, as pure functions: what the desk sends passes, SQL expressions do not."""

import json
import unittest

from lnb_casework.query_arguments import field_refusal, filters_refusal, order_refusal, request_refusal

CASE_COLUMNS = frozenset({"name", "owner", "modified", "creation", "workflow_state", "caseworker", "_assign"})
COLUMNS = {
	"Case": CASE_COLUMNS,
	"Case Process": frozenset({"name", "parent", "parenttype", "process", "stage"}),
}


def columns_of(doctype: str):
	return COLUMNS if doctype == "Case" else None


def refused(arguments: dict) -> str | None:
	return request_refusal(arguments, columns_of)


class TestWhatTheDeskSends(unittest.TestCase):
	def test_list_view_and_report_view_fields_pass(self):
		fields = [
			"`tabCase`.`name`",
			"`tabCase`.`workflow_state`",
			"`tabCase`.`_assign`",
			"`tabCase Process`.`process`",
			"name",
			"count(*) as count",
			"count(`tabCase`.`name`) as total_count",
			"count(distinct `tabCase`.`name`) as total",
			"sum(`tabCase Process`.`stage`) as _aggregate_column",
			"`tabCase`.`caseworker` as name",
			"*",
		]
		self.assertIsNone(refused({"doctype": "Case", "fields": json.dumps(fields)}))

	def test_orders_groups_and_filters_the_desk_sends_pass(self):
		self.assertIsNone(
			refused(
				{
					"doctype": "Case",
					"order_by": "`tabCase`.`modified` desc, name asc",
					"group_by": "`tabCase`.`workflow_state`",
					"filters": json.dumps(
						[
							["Case", "workflow_state", "=", "New", False],
							["Case", "process", "in", ["MHPS"]],
							["modified", ">", "2026-01-01"],
						]
					),
					"or_filters": json.dumps({"caseworker": ["is", "set"], "name": "LNB-2026-00001"}),
				}
			)
		)
		self.assertIsNone(refused({"doctype": "Case", "order_by": "_aggregate_column desc"}))

	def test_a_group_by_count_by_assignment_passes(self):
		self.assertIsNone(refused({"doctype": "Case", "field": "assigned_to", "current_filters": "[]"}))

	def test_a_number_card_definition_is_checked_against_its_own_doctype(self):
		card = {"document_type": "Case", "function": "Sum", "aggregate_function_based_on": "caseworker"}
		self.assertIsNone(refused({"doc": json.dumps(card), "filters": "[]"}))
		card["aggregate_function_based_on"] = "greatest(1,(select what_happened from tabCase))"
		self.assertIsNotNone(refused({"doc": json.dumps(card), "filters": "[]"}))

	def test_report_filters_without_a_doctype_are_checked_for_their_form_only(self):
		self.assertIsNone(
			refused({"report_name": "Caseload", "filters": json.dumps({"from_date": "2026-01-01", "x": [1]})})
		)
		self.assertIsNotNone(refused({"report_name": "Caseload", "filters": json.dumps(["1=1) or (1=1"])}))

	def test_a_linked_title_passes_only_when_the_user_may_read_it(self):
		def titles_of(doctype: str) -> frozenset[str]:
			return frozenset({"systemic_issue.title"}) if doctype == "Case" else frozenset()

		def asking(*fields: str) -> str | None:
			return request_refusal({"doctype": "Case", "fields": json.dumps(fields)}, columns_of, titles_of)

		self.assertIsNone(asking("`tabCase`.`name`", "systemic_issue.title as systemic_issue_title"))
		for field in (
			"systemic_issue.description as systemic_issue_title",
			"caseworker.api_key as caseworker_title",
			"systemic_issue.title as name",
			"systemic_issue.title",
		):
			with self.subTest(field):
				self.assertIsNotNone(asking(field))
		self.assertIsNotNone(
			refused({"doctype": "Case", "fields": '["systemic_issue.title as systemic_issue_title"]'})
		)


SQL_EXPRESSIONS = [
	"max((select what_happened from tabCase where name='LNB-2026-00001')) as x",
	"greatest(1, (select concat_ws('|', ethnic_group, sex) from `tabEquality Monitoring` limit 1))",
	"(select 1)",
	"name, version()",
	"`tabCase`.`name`, (select 1)",
	"name /* comment */",
	"name -- comment",
	"name #",
	"sleep(5)",
	"if(1,name,owner)",
	"count(name) as x, (select 1) as y",
	"`tabEquality Monitoring`.`ethnic_group`",
	"`tabUser`.`api_key`",
	"sum(1)",
	"count(*) + 1",
	"name as `x`, `y`",
	"CASE WHEN 1 THEN name END",
	"0x41",
	"char(65)",
	"name from tabCase union select what_happened",
	"not_a_field",
	"`tabCase`.`what_happened`",
	"caseworker.api_key as caseworker_title",
]


class TestSqlExpressionsAreRefused(unittest.TestCase):
	def test_every_expression_is_refused_as_a_field(self):
		for expression in SQL_EXPRESSIONS:
			with self.subTest(expression=expression):
				self.assertIsNotNone(field_refusal(expression, "Case", COLUMNS))

	def test_every_expression_is_refused_in_every_query_argument(self):
		for expression in SQL_EXPRESSIONS:
			for key in ("fields", "order_by", "group_by", "fieldname", "aggregate_on_field", "field"):
				value = json.dumps([expression]) if key == "fields" else expression
				with self.subTest(key=key, expression=expression):
					self.assertIsNotNone(refused({"doctype": "Case", key: value}))

	def test_expressions_in_filters_are_refused(self):
		hostile = [
			["1=1) or (1=1"],
			"caseworker = 'x' or 1=1",
			[["Case", "name) or (1", "=", "x"]],
			[["Case", "name", "= 1 or 1 =", "x"]],
			[["Case", "name", "=", {"nested": "value"}]],
			[["Equality Monitoring", "ethnic_group", "=", "White"]],
			{"name`) or (`name": "x"},
			{"what_happened": ["like", "%a%"]},
			{"name": ["=", ["a", ["b"]]]},
			[["Case", "name", "in", [["nested"]]]],
			42,
		]
		for filters in hostile:
			with self.subTest(filters=filters):
				self.assertIsNotNone(filters_refusal(filters, "Case", COLUMNS))
				self.assertIsNotNone(refused({"doctype": "Case", "filters": json.dumps(filters)}))

	def test_orders_with_expressions_are_refused(self):
		for order in ("name desc, (select 1)", "name desc limit 1", "rand()", "name desc; drop table x"):
			with self.subTest(order=order):
				self.assertIsNotNone(order_refusal(order, "Case", COLUMNS))

	def test_a_bare_keyword_in_an_order_or_group_is_refused_and_a_quoted_one_passes(self):
		columns = {"Case": CASE_COLUMNS | {"case"}}
		self.assertIsNotNone(order_refusal("case desc", "Case", columns))
		self.assertIsNotNone(order_refusal("case", "Case", columns, may_sort=False))
		self.assertIsNone(order_refusal("`case` desc", "Case", columns))

	def test_functions_and_directions_are_from_a_list(self):
		self.assertIsNone(refused({"doctype": "Case", "aggregate_function": "count", "sort_order": "desc"}))
		self.assertIsNotNone(refused({"doctype": "Case", "aggregate_function": "count(*)) or ((1"}))
		self.assertIsNotNone(refused({"doctype": "Case", "sort_order": "desc, (select 1)"}))

	def test_a_doctype_that_does_not_exist_is_refused(self):
		self.assertIsNotNone(refused({"doctype": "Nope", "fields": '["name"]'}))

	def test_deep_nesting_is_refused_not_crashed(self):
		deep = "[" * 5000 + "]" * 5000
		self.assertIsNotNone(refused({"doctype": "Case", "filters": deep}))
