"""What a request may put into a query: plain columns of the doctype it names, simple aggregates, plain
filters. Everything else is refused, whatever Frappe would have done with it.

Frappe 15 checks list `fields` only where a field starts with "(", and some methods (number cards,
dashboard charts, group-by counts) put arguments into SQL as given, so an SQL expression such as
`max((select … from tabCase …))` reads any table past every row rule. This module is the allow-list, as
pure functions of the request's arguments and of the columns each doctype has (`Columns`, looked up by the
caller), so it holds whatever Frappe's own checks let through:

- a field is a column (`name`, `` `name` ``, `` `tabCase`.`name` ``), `*`, `count(*)`, or count, sum,
  avg, min or max of a column (optionally `distinct`), each optionally `as alias`; or the title of a linked
  record as Frappe's list view asks for it (`link.title as link_title`), when the caller says the user may
  read that title (`link_titles`);
- the table of a column is the doctype the request names or one of its child tables, and the column is one
  of that table's;
- an order is columns (or the alias `_aggregate_column`), each optionally `asc` or `desc`; a group is
  columns;
- a filter is a dict of column: value or [operator, value], or a list of [column, operator, value] or
  [doctype, column, operator, value] (a fifth item is ignored, as Frappe does), with a known operator and
  values that are plain scalars or a flat list of them. Filters given as SQL text are refused.
"""

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

# {doctype: the columns a user may read}: the doctype a request names first, then its child tables. None
# where a request names no doctype: then only the form of each argument is checked.
Columns = Mapping[str, frozenset[str]]

IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
COLUMN = rf"(?:(?:`tab(?P<quoted_table>[A-Za-z0-9 _-]+)`|tab(?P<table>[A-Za-z0-9_]+))\.)?(?:`(?P<quoted_column>{IDENTIFIER})`|(?P<column>{IDENTIFIER}))"
ALIAS = rf"(?:\s+as\s+(?:`{IDENTIFIER}`|{IDENTIFIER}|'{IDENTIFIER}'|\"{IDENTIFIER}\"))?"
COLUMN_PATTERN = re.compile(rf"^\s*{COLUMN}{ALIAS}\s*$", re.IGNORECASE)
AGGREGATE_PATTERN = re.compile(
	rf"^\s*(?P<function>count|sum|avg|min|max)\(\s*(?:distinct\s+)?(?:(?P<star>\*)|{COLUMN})\s*\){ALIAS}\s*$",
	re.IGNORECASE,
)
# Frappe's list view asks for a linked record's title beside its link: `link.title_field as link_title`
LINK_TITLE_PATTERN = re.compile(
	rf"^\s*(?P<link>{IDENTIFIER})\.(?P<column>{IDENTIFIER})\s+as\s+(?P<alias>{IDENTIFIER})\s*$", re.IGNORECASE
)
ORDER_PATTERN = re.compile(rf"^\s*{COLUMN}(?:\s+(?:asc|desc))?\s*$", re.IGNORECASE)
AGGREGATE_ALIAS = "_aggregate_column"
AGGREGATE_FUNCTIONS = {"count", "sum", "avg", "min", "max"}
# how Frappe's number cards and dashboard charts name them
AGGREGATE_FUNCTION_NAMES = {"Count", "Sum", "Average", "Minimum", "Maximum"}
OPERATORS = {
	"=",
	"!=",
	">",
	"<",
	">=",
	"<=",
	"like",
	"not like",
	"in",
	"not in",
	"is",
	"between",
	"timespan",
	"previous",
	"next",
	"descendants of",
	"not descendants of",
	"ancestors of",
	"not ancestors of",
	"descendants of (inclusive)",
}

# Request arguments by what they carry into a query
DOCTYPE_ARGUMENTS = ("doctype", "document_type", "ref_doctype", "reference_doctype", "doc_type", "dt")
FIELD_LIST_ARGUMENTS = {"fields"}
COLUMN_ARGUMENTS = {
	"fieldname",
	"field",
	"searchfield",
	"sort_by",
	"sort_field",
	"aggregate_on_field",
	"aggregate_on",
	"aggregate_function_based_on",
	"based_on",
	"value_based_on",
	"group_by_based_on",
}
ORDER_ARGUMENTS = {"order_by"}
GROUP_ARGUMENTS = {"group_by"}
FILTER_ARGUMENTS = {
	"filters",
	"or_filters",
	"current_filters",
	"filters_json",
	"dynamic_filters_json",
	"applied_filters",
}
DIRECTION_ARGUMENTS = {"sort_order", "order"}
FUNCTION_ARGUMENTS = {"aggregate_function", "function", "group_by_type"}
# MariaDB's reserved words that a field could be named after (Case State Change has `case`)
RESERVED_WORDS = {
	"case",
	"order",
	"group",
	"by",
	"from",
	"select",
	"where",
	"key",
	"keys",
	"desc",
	"asc",
	"index",
	"table",
	"column",
	"check",
	"condition",
	"default",
	"interval",
	"range",
	"rank",
	"release",
	"repeat",
	"require",
	"row",
	"rows",
	"read",
	"write",
	"usage",
	"limit",
	"lines",
	"match",
	"option",
	"return",
	"schema",
	"separator",
	"signal",
	"sql",
	"to",
	"trigger",
	"union",
	"unique",
	"update",
	"use",
	"using",
	"values",
	"when",
	"with",
	"into",
	"is",
	"in",
	"not",
	"null",
	"or",
	"and",
	"like",
	"load",
	"lock",
	"out",
	"over",
	"primary",
	"procedure",
	"references",
	"rename",
	"replace",
	"show",
	"all",
	"alter",
	"between",
	"both",
	"change",
	"character",
	"collate",
	"create",
	"cross",
	"current_date",
	"database",
	"delete",
	"distinct",
	"div",
	"drop",
	"else",
	"exists",
	"explain",
	"fetch",
	"for",
	"force",
	"foreign",
	"having",
	"if",
	"ignore",
	"inner",
	"insert",
	"join",
	"kill",
	"leading",
	"left",
	"mod",
	"natural",
	"outer",
	"partition",
	"right",
	"set",
	"then",
	"trailing",
	"true",
	"false",
	"xor",
}
# what frappe.desk.listview.get_group_by_count counts by besides columns
PSEUDO_COLUMNS = {"assigned_to"}
MAX_NESTING = 32


def column_refusal(match: re.Match, doctype: str | None, columns: Columns | None) -> str | None:
	if columns is None:
		return None
	table = match.group("quoted_table") or match.group("table") or doctype
	column = match.group("quoted_column") or match.group("column")
	if table not in columns:
		return f"{table} is not {doctype} or one of its tables"
	if column not in columns[table]:
		return f"{column} is not a field of {table}"
	return None


def field_refusal(
	field: Any, doctype: str | None, columns: Columns | None, link_titles: frozenset[str] = frozenset()
) -> str | None:
	"""Why a field of a list's `fields` is refused, or None. `link_titles` are the `link.title_field` the
	user may read beside the doctype's links."""
	if not isinstance(field, str):
		return "a field must be text"
	if field.strip() == "*":
		return None
	if match := COLUMN_PATTERN.match(field):
		return column_refusal(match, doctype, columns)
	if match := AGGREGATE_PATTERN.match(field):
		if match.group("star"):
			return None if match.group("function").lower() == "count" else "only count(*) may take *"
		return column_refusal(match, doctype, columns)
	if match := LINK_TITLE_PATTERN.match(field):
		link, column = match.group("link"), match.group("column")
		if f"{link}.{column}" in link_titles and match.group("alias") == f"{link}_title":
			return None
		return f"{link}.{column} is not a title you may read beside a link"
	return f"{field[:60]!r} is not a field"


def plain_column_refusal(value: Any, doctype: str | None, columns: Columns | None) -> str | None:
	"""Why a single column argument (a group-by field, a sort field, an aggregate's field) is refused."""
	if not isinstance(value, str):
		return "a field must be text"
	match = COLUMN_PATTERN.match(value)
	if not match or " as " in value.lower():
		return f"{value[:60]!r} is not a field"
	return column_refusal(match, doctype, columns)


def order_refusal(
	value: Any, doctype: str | None, columns: Columns | None, *, may_sort: bool = True
) -> str | None:
	"""Why an `order_by` (may_sort) or a `group_by` is refused."""
	if not isinstance(value, str):
		return "an order must be text"
	for part in value.split(","):
		if may_sort and part.split()[:1] == [AGGREGATE_ALIAS] and len(part.split()) <= 2:
			if len(part.split()) == 1 or part.split()[1].lower() in ("asc", "desc"):
				continue
		pattern = ORDER_PATTERN if may_sort else COLUMN_PATTERN
		match = pattern.match(part)
		if not match or " as " in part.lower():
			return f"{part.strip()[:60]!r} is not a field"
		if (match.group("column") or "").lower() in RESERVED_WORDS:
			# Frappe puts an order or group into SQL as given: a bare keyword breaks the query
			return f"write {match.group('column')} as `{match.group('column')}`"
		if refusal := column_refusal(match, doctype, columns):
			return refusal
	return None


def is_plain_value(value: Any) -> bool:
	return value is None or isinstance(value, str | int | float | bool)


def filter_value_refusal(value: Any) -> str | None:
	if is_plain_value(value):
		return None
	if isinstance(value, list | tuple) and all(is_plain_value(item) for item in value):
		return None
	return "a filter's value must be plain values"


def filter_column_refusal(
	column: Any, filter_doctype: str | None, doctype: str | None, columns: Columns | None
) -> str | None:
	"""A filter's column: a plain name of a column of the doctype or of one of its tables (Frappe looks
	for it in the child tables when the doctype has no such field)."""
	if not isinstance(column, str) or not re.fullmatch(IDENTIFIER, column):
		return f"{str(column)[:60]!r} is not a field"
	if columns is None:
		return None
	if filter_doctype not in columns:
		return f"{filter_doctype} is not {doctype} or one of its tables"
	if column in columns[filter_doctype]:
		return None
	if filter_doctype == doctype and any(column in named for named in columns.values()):
		return None
	return f"{column} is not a field of {filter_doctype}"


def operator_refusal(operator: Any) -> str | None:
	if isinstance(operator, str) and operator.strip().lower() in OPERATORS | {""}:
		return None
	return f"{str(operator)[:30]!r} is not a filter operator"


def one_filter_refusal(condition: Any, doctype: str | None, columns: Columns | None) -> str | None:
	if isinstance(condition, dict):
		return filters_refusal(condition, doctype, columns)
	if not isinstance(condition, list | tuple):
		return "a filter must be a list of field, operator and value"
	if len(condition) == 2:
		column, operator, value = condition[0], "=", condition[1]
		filter_doctype = doctype
	elif len(condition) == 3:
		(column, operator, value), filter_doctype = condition, doctype
	elif len(condition) in (4, 5):
		filter_doctype, column, operator, value = condition[:4]
	else:
		return "a filter must be a list of field, operator and value"
	if not isinstance(filter_doctype, str):
		return "a filter's doctype must be text"
	return (
		filter_column_refusal(column, filter_doctype, doctype, columns)
		or operator_refusal(operator)
		or filter_value_refusal(value)
	)


def filters_refusal(filters: Any, doctype: str | None, columns: Columns | None) -> str | None:
	"""Why a `filters` (or `or_filters`) argument is refused, or None."""
	if filters in (None, "", [], {}):
		return None
	if isinstance(filters, dict):
		for column, value in filters.items():
			if refusal := filter_column_refusal(column, doctype, doctype, columns):
				return refusal
			if isinstance(value, list | tuple) and value and isinstance(value[0], str):
				if value[0].strip().lower() in OPERATORS:
					if refusal := filter_value_refusal(value[1] if len(value) > 1 else None):
						return refusal
					continue
			if refusal := filter_value_refusal(value):
				return refusal
		return None
	if isinstance(filters, list | tuple):
		if filters and isinstance(filters[0], str) and len(filters) in (3, 4):
			# one filter given bare: [field, operator, value]
			return one_filter_refusal(filters, doctype, columns)
		for condition in filters:
			if refusal := one_filter_refusal(condition, doctype, columns):
				return refusal
		return None
	return "filters must be a list or a dict"


def decoded(value: Any) -> Any:
	"""A JSON argument as the method will read it; other text as it is."""
	if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
		try:
			return json.loads(value)
		except ValueError:
			return value
	return value


def argument_refusal(
	key: str,
	value: Any,
	doctype: str | None,
	columns_of: Callable[[str], Columns | None],
	link_titles_of: Callable[[str], frozenset[str]],
) -> str | None:
	"""Why one query argument is refused, given the doctype its request (or object) names."""
	value = decoded(value)
	if value in (None, "", [], {}):
		return None
	if key in DIRECTION_ARGUMENTS:
		return None if str(value).strip().lower() in ("asc", "desc") else "an order must be asc or desc"
	if key in FUNCTION_ARGUMENTS:
		allowed = AGGREGATE_FUNCTIONS | {name.lower() for name in AGGREGATE_FUNCTION_NAMES} | {"average"}
		return None if str(value).strip().lower() in allowed else "not an aggregate function"
	columns = columns_of(doctype) if doctype else None
	if doctype and columns is None:
		return f"{doctype[:60]!r} is not a doctype"
	if key == "field" and value in PSEUDO_COLUMNS:
		return None
	if key in FIELD_LIST_ARGUMENTS:
		fields = value if isinstance(value, list | tuple) else [value]
		asks_titles = any(isinstance(field, str) and LINK_TITLE_PATTERN.match(field) for field in fields)
		titles = link_titles_of(doctype) if doctype and asks_titles else frozenset()
		return next(
			(refusal for field in fields if (refusal := field_refusal(field, doctype, columns, titles))), None
		)
	if key in COLUMN_ARGUMENTS:
		if isinstance(value, dict):
			# frappe.client.set_value takes {field: value}
			return next(
				(
					f"{column!r} is not a field"
					for column in value
					if not re.fullmatch(IDENTIFIER, str(column))
				),
				None,
			)
		names = value if isinstance(value, list | tuple) else [value]
		return next((refusal for name in names if (refusal := field_refusal(name, doctype, columns))), None)
	if key in ORDER_ARGUMENTS:
		return order_refusal(value, doctype, columns)
	if key in GROUP_ARGUMENTS:
		return order_refusal(value, doctype, columns, may_sort=False)
	if key in FILTER_ARGUMENTS:
		return filters_refusal(value, doctype, columns)
	return None


QUERY_ARGUMENTS = (
	FIELD_LIST_ARGUMENTS
	| COLUMN_ARGUMENTS
	| ORDER_ARGUMENTS
	| GROUP_ARGUMENTS
	| FILTER_ARGUMENTS
	| DIRECTION_ARGUMENTS
	| FUNCTION_ARGUMENTS
)


def named_doctype(arguments: Mapping, inherited: str | None) -> str | None:
	for key in DOCTYPE_ARGUMENTS:
		if isinstance(arguments.get(key), str) and arguments[key]:
			return arguments[key]
	return inherited


def objects_in(value: Any, depth: int = 0) -> Iterator[Mapping]:
	"""Every dict in a (decoded) argument; ValueError past MAX_NESTING."""
	value = decoded(value)
	if depth > MAX_NESTING:
		raise ValueError("nested too deep")
	if isinstance(value, dict):
		yield value
		for item in value.values():
			yield from objects_in(item, depth + 1)
	elif isinstance(value, list | tuple):
		for item in value:
			yield from objects_in(item, depth + 1)


def request_refusal(
	arguments: Mapping,
	columns_of: Callable[[str], Columns | None],
	link_titles_of: Callable[[str], frozenset[str]] = lambda doctype: frozenset(),
) -> str | None:
	"""Why a request's arguments are refused, or None. Query arguments at the top level are checked against
	the doctype the request names (or, failing that, the first doctype named inside a JSON argument, as a
	number card or chart definition names its own); query arguments inside a JSON object that names a
	doctype are checked against that doctype. `link_titles_of(doctype)` are the linked titles the user may
	read beside that doctype's links (none unless given)."""
	looked_up: dict[str, Columns | None] = {}

	def columns_of_once(doctype: str) -> Columns | None:
		if doctype not in looked_up:
			looked_up[doctype] = columns_of(doctype)
		return looked_up[doctype]

	try:
		objects = [inner for value in arguments.values() for inner in objects_in(value)]
	except (ValueError, RecursionError):
		return "arguments nested too deep"
	top_doctype = named_doctype(arguments, None) or next(
		(named for inner in objects if (named := named_doctype(inner, None))), None
	)
	for key, value in arguments.items():
		if key in QUERY_ARGUMENTS and (
			refusal := argument_refusal(key, value, top_doctype, columns_of_once, link_titles_of)
		):
			return f"{key}: {refusal}"
	for inner in objects:
		if not (doctype := named_doctype(inner, None)):
			continue
		for key, value in inner.items():
			if key in QUERY_ARGUMENTS and (
				refusal := argument_refusal(key, value, doctype, columns_of_once, link_titles_of)
			):
				return f"{key}: {refusal}"
	return None
