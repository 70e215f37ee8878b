"""The site's attack surface as an attacker sees it, for tests/test_attacker_routes.py.

- every whitelisted method of every installed app (found by importing their modules and reading what
  `frappe.whitelist` recorded), with each parameter sorted by what it names: a doctype, a document, a field,
  a filter or a tag;
- argument sets aimed at a victim's records, written with placeholders (`⟦CASE⟧`) that are filled once with
  the victim's real names and once with names that do not exist, so the two answers can be compared;
- a generated battery of SQL expressions for every field, filter, order and group parameter;
- what counts as a leak in an answer (the victim's secret markers) and what is volatile in it.
"""

import importlib
import inspect
import json
import pkgutil
import random
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import frappe

# ---- what a parameter names

DOCTYPE_PARAMETERS = {
	"doctype",
	"dt",
	"doc_type",
	"reference_doctype",
	"ref_doctype",
	"document_type",
	"parenttype",
	"parent_doctype",
	"parent",
	"reference_dt",
	"reference_type",
	"reminder_doctype",
	"link_doctype",
}
DOCUMENT_PARAMETERS = {
	"name",
	"docname",
	"dn",
	"doc_name",
	"reference_name",
	"reminder_docname",
	"source_name",
	"document",
	"case",
	"review",
	"factor",
	"fid",
	"file_url",
}
DOCUMENT_LIST_PARAMETERS = {"docnames", "names", "items", "source_names"}
DOCUMENT_JSON_PARAMETERS = {"doc", "docs", "target_doc", "reference_doc"}
FIELD_LIST_PARAMETERS = {"fields", "columns", "select_columns", "fieldnames"}
FIELD_PARAMETERS = {
	"fieldname",
	"field",
	"searchfield",
	"based_on",
	"aggregate_on_field",
	"aggregate_function",
	"sort_field",
}
ORDER_PARAMETERS = {"order_by", "sort_by", "sort_order", "group_by"}
FILTER_PARAMETERS = {"filters", "or_filters", "current_filters", "filters_json", "extra_filters"}
SEARCH_PARAMETERS = {"txt"}
TAG_PARAMETERS = {"tag", "tags"}

KIND_OF_PARAMETER = {
	**dict.fromkeys(DOCTYPE_PARAMETERS, "doctype"),
	**dict.fromkeys(DOCUMENT_PARAMETERS | DOCUMENT_LIST_PARAMETERS | DOCUMENT_JSON_PARAMETERS, "document"),
	**dict.fromkeys(FIELD_LIST_PARAMETERS | FIELD_PARAMETERS | ORDER_PARAMETERS, "field"),
	**dict.fromkeys(FILTER_PARAMETERS | SEARCH_PARAMETERS, "filter"),
	**dict.fromkeys(TAG_PARAMETERS, "tag"),
}
# methods that read these from the request themselves (no parameters in their signature)
LIST_REQUEST_KEYS = ("doctype", "fields", "filters", "order_by")
FORM_DICT_KEY = re.compile(
	r"""(?:form_dict|kwargs)(?:(?:\.get|\.pop)\(\s*["'](\w+)["']|\[\s*["'](\w+)["']\]|\.(\w+)\b)"""
)
DICT_METHODS = {"get", "pop", "items", "keys", "values", "update", "copy", "setdefault"}

# Methods left out because calling them would break the run itself (never because they fail).
SKIPPED = {
	"frappe.handler.logout": "signs the attacker out",
	"frappe.handler.web_logout": "signs the attacker out",
	"frappe.sessions.clear": "clears the attacker's sessions",
	"frappe.core.doctype.user.user.generate_keys": "replaces the attacker's API secret",
	"frappe.core.doctype.user.user.update_password": "changes the attacker's password",
	"frappe.core.doctype.user.user.reset_password": "mails a reset link and is rate-limited to 5 an hour",
	"frappe.desk.page.backups.backups.schedule_files_backup": "starts a backup (long-running)",
}


@dataclass(frozen=True)
class Parameter:
	name: str
	kind: str | None  # doctype, document, field, filter, tag; None for anything else
	required: bool
	annotation: object


@dataclass(frozen=True)
class Method:
	path: str  # what goes after /api/method/
	parameters: tuple[Parameter, ...]
	takes_kwargs: bool
	request_keys: tuple[str, ...]  # keys a parameterless method reads from the request itself
	guest: bool
	http_method: str
	doc_method: str | None = None  # a controller method, called through run_doc_method
	doc_method_doctype: str | None = None  # None: a method of every document (frappe.model.document)
	overridden_by: str | None = None

	@property
	def label(self) -> str:
		if self.doc_method:
			return f"run_doc_method:{self.doc_method_doctype or 'Document'}.{self.doc_method}"
		return self.path

	def kinds(self) -> set[str]:
		kinds = {p.kind for p in self.parameters if p.kind}
		if self.request_keys:
			kinds |= {KIND_OF_PARAMETER[key] for key in self.request_keys if key in KIND_OF_PARAMETER}
		return kinds


def import_app_modules(apps: list[str]) -> list[str]:
	"""Imports every module of the apps that can be imported (tests, patches and commands left out);
	returns the ones that could not be, with why."""
	failures = []
	for app in apps:
		package = importlib.import_module(app)
		for module in pkgutil.walk_packages(package.__path__, f"{app}.", onerror=failures.append):
			parts = module.name.split(".")
			if any(part.startswith("test") or part in ("patches", "commands") for part in parts):
				continue
			try:
				importlib.import_module(module.name)
			except BaseException as error:  # modules that need a request, optional dependencies, ...
				failures.append(f"{module.name}: {error!r}"[:160])
	return failures


def parameters_of(function: Callable) -> tuple[tuple[Parameter, ...], bool]:
	signature = inspect.signature(inspect.unwrap(function))
	parameters = []
	takes_kwargs = False
	for parameter in signature.parameters.values():
		if parameter.name in ("self", "cls") or parameter.kind == parameter.VAR_POSITIONAL:
			continue
		if parameter.kind == parameter.VAR_KEYWORD:
			takes_kwargs = True
			continue
		parameters.append(
			Parameter(
				name=parameter.name,
				kind=KIND_OF_PARAMETER.get(parameter.name),
				required=parameter.default is parameter.empty,
				annotation=parameter.annotation,
			)
		)
	return tuple(parameters), takes_kwargs


def request_keys_read_by(function: Callable) -> tuple[str, ...]:
	"""The request keys a method reads itself (from form_dict or **kwargs), judged from its source."""
	try:
		source = inspect.getsource(inspect.unwrap(function))
	except (OSError, TypeError):
		return ()
	if "get_form_params()" in source:
		return LIST_REQUEST_KEYS
	keys = set()
	for by_call, by_index, by_attribute in FORM_DICT_KEY.findall(source):
		keys.add(by_call or by_index or (by_attribute if by_attribute not in DICT_METHODS else ""))
	return tuple(sorted(keys - {"", "cmd"}))


def doctype_of_controller(function: Callable) -> str | None:
	"""The doctype whose controller defines this method; None for Document's own methods."""
	module = inspect.getmodule(inspect.unwrap(function))
	if module is None or module.__name__ == "frappe.model.document" or not module.__file__:
		return None
	definition = Path(module.__file__).with_suffix(".json")
	if definition.exists():
		return json.loads(definition.read_text()).get("name")
	return None


def discover_methods() -> tuple[list[Method], list[str], dict[str, str]]:
	"""Every whitelisted method on the site; the modules that could not be imported; the methods skipped."""
	failures = import_app_modules(frappe.get_installed_apps())
	overrides = {
		original: paths[-1] for original, paths in frappe.get_hooks("override_whitelisted_methods").items()
	}
	guests = set(frappe.guest_methods)
	methods, skipped = [], {}
	for function in frappe.whitelisted:
		original = inspect.unwrap(function)
		path = f"{original.__module__}.{original.__qualname__}"
		http_methods = frappe.allowed_http_methods_for_whitelisted_func[function]
		http_method = "POST" if "POST" in http_methods else http_methods[0]
		if path in SKIPPED:
			skipped[path] = SKIPPED[path]
			continue
		if "<locals>" in original.__qualname__:
			skipped[path] = "defined inside a function: no path reaches it"
			continue
		answering = frappe.get_attr(overrides[path]) if path in overrides else function
		parameters, takes_kwargs = parameters_of(answering)
		common = {
			"parameters": parameters,
			"takes_kwargs": takes_kwargs,
			"request_keys": () if parameters else request_keys_read_by(answering),
			"guest": function in guests,
			"http_method": http_method,
		}
		if "." in original.__qualname__:
			methods.append(
				Method(
					path="run_doc_method",
					doc_method=original.__name__,
					doc_method_doctype=doctype_of_controller(original),
					**common,
				)
			)
		else:
			methods.append(Method(path=path, overridden_by=overrides.get(path), **common))
	return sorted(methods, key=lambda m: m.label), failures, skipped


# ---- the victim, as placeholders

PLACEHOLDER = re.compile(r"⟦([A-Z_]+(?::[A-Za-z ]+)?)(?:\|(hex|char|split|lower|mixed|spaced|wide))?⟧")
# a name in the other spellings MariaDB takes for the same (its collation ignores case, spaces after a value,
# and equates full-width look-alikes): the request layer must resolve each to the stored name
SPELLINGS_OF_NAMES = ("lower", "mixed", "spaced", "wide")
ENCODINGS = (None, "hex", "char", "split", *SPELLINGS_OF_NAMES)
# the placeholders that stand for names (of the case, its review, its rows)
NAME_PLACEHOLDER = re.compile(r"⟦((?:CASE|REVIEW|ROW:[A-Za-z ]+))⟧")


def token(name: str) -> str:
	return f"⟦{name}⟧"


def row(doctype: str) -> str:
	return token(f"ROW:{doctype}")


def encode(value: str, how: str | None) -> str:
	if how == "hex":
		return "0x" + value.encode().hex()
	if how == "char":
		return "char(" + ",".join(str(byte) for byte in value.encode()) + ")"
	if how == "split":  # a reference that never appears whole in the request
		return f"concat('{value[:4]}','{value[4:]}')"
	if how == "lower":
		return value.lower()
	if how == "mixed":
		return "".join(c.lower() if i % 2 else c.upper() for i, c in enumerate(value))
	if how == "spaced":
		return f" {value}   "
	if how == "wide":  # full-width look-alikes of every ASCII letter, digit and sign
		return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)
	return value


def fill(template: object, values: dict[str, str]) -> object:
	"""The template with every placeholder replaced by its value (deeply, in strings, lists and dicts)."""
	if isinstance(template, str):
		return PLACEHOLDER.sub(lambda m: encode(values[m.group(1)], m.group(2)), template)
	if isinstance(template, list | tuple):
		return [fill(item, values) for item in template]
	if isinstance(template, dict):
		return {fill(key, values): fill(item, values) for key, item in template.items()}
	return template


def placeholders_in(template: object) -> set[str]:
	return {match[0] for match in PLACEHOLDER.findall(json.dumps(template, ensure_ascii=False, default=str))}


@dataclass(frozen=True)
class Target:
	"""One of the victim's records, and how a request names it."""

	doctype: str
	name: str  # a placeholder
	filters: dict
	secret_fields: tuple[str, ...]
	doc: dict
	parent_doctype: str | None = None


def targets(child_rows: dict[str, tuple[str, str, tuple[str, ...]]]) -> list[Target]:
	"""The victim's records. child_rows: child doctype -> (parent doctype, parentfield, its fields)."""
	case, review = token("CASE"), token("REVIEW")
	listed = [
		Target(
			"Case",
			case,
			{"name": case},
			("what_happened", "email", "phone", "gmc_number", "doctor_name", "casework_notes"),
			{"doctype": "Case", "name": case},
		),
		Target(
			"Review",
			review,
			{"name": review},
			("circumstances", "recommendation", "case"),
			{"doctype": "Review", "name": review, "case": case},
		),
	]
	for child, (parent, parentfield, fields) in sorted(child_rows.items()):
		parent_name = case if parent == "Case" else review
		listed.append(
			Target(
				child,
				row(child),
				{"parent": parent_name},
				("parent", *fields),
				{
					"doctype": child,
					"name": row(child),
					"parent": parent_name,
					"parenttype": parent,
					"parentfield": parentfield,
				},
				parent_doctype=parent,
			)
		)
	for doctype, link_field, fields, extra in (
		(
			"Equality Monitoring",
			"case",
			("case", "ethnic_group", "sex", "sexual_orientation", "religion_or_belief", "age_band"),
			{},
		),
		("Case State Change", "case", ("case", "from_state", "to_state", "note"), {}),
		(
			"File",
			"attached_to_name",
			("file_name", "file_url", "attached_to_name"),
			{"attached_to_doctype": "Case"},
		),
		(
			"Comment",
			"reference_name",
			("content", "reference_name"),
			{"reference_doctype": "Case", "comment_type": "Comment", "content": "x"},
		),
		("Version", "docname", ("data", "docname"), {"ref_doctype": "Case"}),
		("Tag Link", "document_name", ("tag", "document_name", "title"), {"document_type": "Case"}),
		(
			"ToDo",
			"reference_name",
			("description", "reference_name", "allocated_to"),
			{"reference_type": "Case"},
		),
	):
		listed.append(
			Target(
				doctype,
				row(doctype),
				{link_field: case},
				fields,
				{"doctype": doctype, "name": row(doctype), link_field: case, **extra},
			)
		)
	return listed


# Which of the victim's records an attacker aims at ("reach"), to keep a run to a few minutes:
# - "minimal": the case, its review and its equality answers;
# - "core": those and one child table row of each;
# - "all": those, the records every user may read at the doctype level (files, comments, assignments,
#   tags, versions, state changes) and, for methods that list, count or insert (where child tables have
#   had no row rule), every other child table row of the case and the review.
MINIMAL_TARGETS = ("Case", "Review", "Equality Monitoring")
CORE_TARGETS = (*MINIMAL_TARGETS, "Case Deadline", "Review Systemic Factor")
SHARED_TARGETS = ("File", "Comment", "ToDo", "Tag Link", "Version", "Case State Change")
LISTING_KINDS = {"field", "filter"}


def targets_for(reach: str, method: "Method | None", all_targets: list["Target"]) -> list["Target"]:
	"""The targets within reach; method None for a route, which lists and inserts."""
	doctypes = set(MINIMAL_TARGETS if reach == "minimal" else CORE_TARGETS)
	if reach == "all":
		doctypes |= set(SHARED_TARGETS)
	lists_or_inserts = method is None or bool(
		method.kinds() & LISTING_KINDS or any(p.name in DOCUMENT_JSON_PARAMETERS for p in method.parameters)
	)
	return [t for t in all_targets if t.doctype in doctypes or (reach == "all" and lists_or_inserts)]


# ---- argument sets

A_STRING = "x"


def generic_value(parameter: Parameter, context: dict) -> object:
	"""A plausible value for a parameter that names nothing of the victim's."""
	name = parameter.name
	annotation = parameter.annotation
	if name in context:
		return context[name]
	if annotation in (bool, "bool") or name.startswith(("is_", "as_", "with_", "ignore_", "no_")):
		return 0
	if annotation in (int, float, "int", "float") or name in (
		"start",
		"limit",
		"page_len",
		"page_length",
		"limit_start",
		"limit_page_length",
		"end",
	):
		return 20 if "len" in name or name.startswith("limit") else 0
	if (
		annotation in (dict, "dict")
		or typing.get_origin(annotation) is dict
		or name
		in (
			"args",
			"arg",
			"kwargs",
			"data",
			"settings",
			"options",
			"field_map",
			"values",
		)
	):
		return {}
	if annotation in (list, "list") or typing.get_origin(annotation) is list:
		return []
	return A_STRING


def value_for(parameter: Parameter, target: Target, by: str) -> object:
	"""The value aimed at the target; `by` is "name" (name the record) or "filter" (find it by filters)."""
	name = parameter.name
	if name in DOCTYPE_PARAMETERS:
		if name in ("parent", "parenttype", "parent_doctype"):
			return target.parent_doctype or "Case"
		return target.doctype
	if name == "case":
		return token("CASE")
	if name == "review":
		return token("REVIEW")
	if name == "factor":
		return row("Review Systemic Factor")
	if name == "file_url":
		return token("FILE_URL")
	if name in DOCUMENT_PARAMETERS:
		return target.name
	if name in DOCUMENT_LIST_PARAMETERS:
		return [target.name]
	if name == "docs":
		return [target.doc]
	if name in DOCUMENT_JSON_PARAMETERS:
		return target.doc
	if name in FIELD_LIST_PARAMETERS:
		return list(target.secret_fields)
	if name in FIELD_PARAMETERS | ORDER_PARAMETERS:
		return target.secret_fields[0]
	if name in FILTER_PARAMETERS:
		filters = target.filters if by == "filter" else {"name": target.name}
		if name == "current_filters":
			return [[target.doctype, key, "=", value] for key, value in filters.items()]
		return filters
	if name in SEARCH_PARAMETERS:
		return target.name
	if name in TAG_PARAMETERS:
		return token("TAG") if name == "tag" else [token("TAG")]
	raise KeyError(name)


@dataclass(frozen=True)
class Attack:
	"""One request, written with placeholders: method, http method, path, parameters."""

	label: str  # the method or route, as reported
	http_method: str
	path: str
	params: dict
	aim: str  # what it aims at, for the report

	def filled(self, values: dict[str, str]) -> tuple[str, dict]:
		return fill(self.path, values), fill(self.params, values)


NAME_KINDS = DOCUMENT_PARAMETERS | DOCUMENT_LIST_PARAMETERS | DOCUMENT_JSON_PARAMETERS


def respelt(attack: "Attack", how: str) -> "Attack | None":
	"""The attack with every name it gives (in its path, and in each parameter that names a document)
	spelt `how`; None when it gives none."""

	def spell(value: object) -> object:
		text = json.dumps(value, ensure_ascii=False)
		return json.loads(NAME_PLACEHOLDER.sub(lambda m: f"⟦{m.group(1)}|{how}⟧", text))

	path = spell(attack.path) if attack.path.startswith("/api/resource/") else attack.path
	params = {key: spell(value) if key in NAME_KINDS else value for key, value in attack.params.items()}
	if (path, params) == (attack.path, attack.params):
		return None
	return Attack(attack.label, attack.http_method, path, params, f"{attack.aim}, names spelt {how}")


def arguments_for(method: Method, target: Target, by: str, context: dict) -> dict | None:
	"""Arguments of one call aimed at the target; None when the method cannot aim that way."""
	arguments = {}
	names_document = False
	for parameter in method.parameters:
		kind = parameter.kind
		leave_out = (by == "filter" and kind == "document") or (by == "name" and kind == "filter")
		if kind and not (leave_out and not parameter.required):
			arguments[parameter.name] = value_for(parameter, target, by)
			names_document |= kind == "document"
		elif parameter.required:
			arguments[parameter.name] = generic_value(parameter, context)
	if method.request_keys or method.takes_kwargs:
		keys = method.request_keys or (("doctype", "name") if by == "name" else LIST_REQUEST_KEYS)
		for key in keys:
			if key in KIND_OF_PARAMETER and key not in arguments:
				probe = Parameter(key, KIND_OF_PARAMETER[key], False, None)
				if not (by == "filter" and probe.kind == "document"):
					arguments[key] = value_for(probe, target, by)
	if by == "filter" and not any(k in arguments for k in FILTER_PARAMETERS | SEARCH_PARAMETERS):
		return None
	if (
		by == "name"
		and not names_document
		and not any(k in arguments for k in DOCTYPE_PARAMETERS | DOCUMENT_PARAMETERS)
	):
		return None
	return arguments


def fits(method: Method, target: Target) -> bool:
	"""Whether a method that takes a document but no doctype could be about this target: Case and Review
	always; another doctype when the method's module is about it (frappe.desk.doctype.tag.* and Tag Link)."""
	if target.doctype in ("Case", "Review"):
		return True
	words = {
		"File": ("file", "upload", "attach"),
		"Comment": ("comment", "timeline"),
		"ToDo": ("todo", "assign"),
		"Version": ("version",),
		"Tag Link": ("tag",),
		"Equality Monitoring": ("equality",),
		"Case State Change": ("state", "workflow"),
	}.get(target.doctype, (frappe.scrub(target.doctype),))
	return any(word in method.path or word in (method.doc_method or "") for word in words)


def attacks_on(method: Method, chosen_targets: list[Target], context: dict) -> list[Attack]:
	"""The paired attacks of one method on the chosen targets: by name and by filter, without duplicates."""
	path = f"/api/method/{method.path}"
	attacks, seen = [], set()

	def add(params: dict, aim: str) -> None:
		key = json.dumps(params, sort_keys=True, default=str)
		if key not in seen:
			seen.add(key)
			attacks.append(Attack(method.label, method.http_method, path, params, aim))

	if method.doc_method:
		chosen = [
			t
			for t in chosen_targets
			if method.doc_method_doctype is None or t.doctype == method.doc_method_doctype
		]
		method_arguments = {p.name: generic_value(p, context) for p in method.parameters if p.required}
		for target in chosen:
			add(
				{
					"dt": target.doctype,
					"dn": target.name,
					"method": method.doc_method,
					"args": method_arguments,
				},
				f"{target.doctype} by name",
			)
			if target.doctype in ("Case", "Review"):
				add(
					{"docs": target.doc, "method": method.doc_method, "args": method_arguments},
					f"{target.doctype} as a doc",
				)
		if (
			not chosen and method.doc_method_doctype
		):  # another doctype's method: aim it at the case all the same
			add(
				{"dt": method.doc_method_doctype, "dn": token("CASE"), "method": method.doc_method},
				"Case name as another doctype's",
			)
		return attacks

	takes_doctype = any(p.kind == "doctype" for p in method.parameters) or "doctype" in method.request_keys
	for target in chosen_targets:
		if not (takes_doctype or method.takes_kwargs or fits(method, target)):
			continue
		for by in ("name", "filter"):
			arguments = arguments_for(method, target, by, context)
			if arguments is not None:
				add(arguments, f"{target.doctype} by {by}")
		if target.doctype == "Case":
			secret = arguments_for(method, target, "filter", context)
			if secret is not None:
				for key in FILTER_PARAMETERS & set(secret):
					secret[key] = (
						[["Case", "gmc_number", "=", token("GMC")]]
						if key == "current_filters"
						else {"gmc_number": token("GMC")}
					)
				for key in SEARCH_PARAMETERS & set(secret):
					secret[key] = token("GMC")
				add(secret, "Case by its GMC number")
	if any(p.name == "report_name" for p in method.parameters):
		for report in context.get("reports", ()):
			add(
				{
					**{p.name: generic_value(p, context) for p in method.parameters if p.required},
					"report_name": report,
					"filters": {"caseworker": context["victim_caseworker"], "include_ended": 1},
				},
				f"report {report} of the victim's caseworker",
			)
	return attacks


def attacks_without_aim(method: Method, context: dict) -> list[Attack]:
	"""A method with nothing that names a record: called once, to see what it gives anyone."""
	params = {p.name: generic_value(p, context) for p in method.parameters if p.required}
	return [Attack(method.label, method.http_method, f"/api/method/{method.path}", params, "nothing")]


def route_attacks(all_targets: list[Target]) -> list[Attack]:
	"""Routes that are not whitelisted methods: the REST API (v1 and v2), print views, private files."""
	attacks = []
	for target in all_targets:
		dt, name = target.doctype, target.name
		listing = {"fields": list(target.secret_fields), "filters": target.filters}
		for label, http_method, path, params in (
			("GET /api/resource/<doctype>/<name>", "GET", f"/api/resource/{dt}/{name}", {}),
			("PUT /api/resource/<doctype>/<name>", "PUT", f"/api/resource/{dt}/{name}", {"data": {"idx": 1}}),
			("DELETE /api/resource/<doctype>/<name>", "DELETE", f"/api/resource/{dt}/{name}", {}),
			("GET /api/resource/<doctype>", "GET", f"/api/resource/{dt}", listing),
			("POST /api/resource/<doctype>", "POST", f"/api/resource/{dt}", {"data": target.doc}),
			("GET /api/v2/document/<doctype>/<name>", "GET", f"/api/v2/document/{dt}/{name}", {}),
			("GET /api/v2/document/<doctype>", "GET", f"/api/v2/document/{dt}", listing),
			("GET /printview", "GET", "/printview", {"doctype": dt, "name": name}),
		):
			attacks.append(Attack(label, http_method, path, params, f"{dt} by name"))
	attacks.append(Attack("GET <private file url>", "GET", token("FILE_URL"), {}, "File by its URL"))
	return attacks


# ---- SQL expressions

# subqueries that read the victim's secrets; each gives a marker (or a number that is one)
SECRET_READS = (
	"(select what_happened from tabCase where name='⟦CASE⟧')",
	"(select gmc_number from `tabCase` where name='⟦CASE⟧')",
	"(select email from `tabCase` where name=⟦CASE|hex⟧)",
	"(select phone from tabCase where name=⟦CASE|char⟧)",
	"(select doctor_name from tabCase where name like '⟦CASE⟧')",
	"(select crc32(what_happened) from tabCase where name='⟦CASE⟧')",
	"(select concat_ws('|',ethnic_group,sex,gender_identity_same_as_birth,sexual_orientation,disability,"
	"religion_or_belief,age_band,qualification_region) from `tabEquality Monitoring` where `case`='⟦CASE⟧')",
	"(select crc32(concat_ws('|',ethnic_group,sex,gender_identity_same_as_birth,sexual_orientation,disability,"
	"religion_or_belief,age_band,qualification_region)) from `tabEquality Monitoring` where `case`='⟦CASE⟧')",
	"(select circumstances from tabReview where `case`='⟦CASE⟧' limit 1)",
	"(select group_concat(details) from `tabCase Process` where parent='⟦CASE⟧')",
	"(select group_concat(description) from `tabCase Deadline` where parent='⟦CASE⟧')",
	"(select email from tabCase where gmc_number='⟦GMC⟧')",
	"(select what_happened from tabCase where name=⟦CASE|split⟧)",
	"(select group_concat(what_happened) from tabCase)",
	"(select group_concat(concat_ws('|',name,email,gmc_number)) from tabCase where caseworker like 'victim-%')",
	"(select circumstances from tabReview order by creation desc limit 1)",
	"(select group_concat(description) from `tabCase Deadline`)",
	"(select group_concat(content) from tabComment where reference_doctype='Case')",
)
# yes/no questions about the victim: the answer differs between a real and a missing case
SECRET_QUESTIONS = (
	"(select count(*) from tabCase where gmc_number='⟦GMC⟧')",
	"(select count(*) from tabCase where name='⟦CASE⟧' and what_happened like '%')",
	"(select count(*) from `tabEquality Monitoring` where `case`=⟦CASE|hex⟧)",
	"(select count(*) from tabCase where name=⟦CASE|split⟧ and caseworker is not null)",
)
FIELD_WRAPPERS = (
	"{s}",
	"{s} as x",
	"max({s}) as x",
	"MAX( {s} ) AS x",
	"Min({s})",
	"greatest('',{s}) as x",
	"greatest(1,{s}) as x",
	"concat_ws('|',name,{s}) as x",
	"concat({s},'') as x",
	"if(1,{s},0) as x",
	"ifnull({s},0) as x",
	"coalesce({s},'') as x",
	"lower({s}) as x",
	"cast({s} as char) as x",
	"substring({s},1) as x",
	"json_extract(json_array({s}),'$[0]') as x",
	"max(/**/{s}) as x",
	"max/**/({s}) as x",
	"name, {s} as x",
	"`name`, max({s})",
	"name /*, */ , {s}",
	"{s} -- ",
	"{s} #",
	"count(*), {s}",
	"extractvalue(1,concat(0x7e,{s}))",
	"updatexml(1,concat(0x7e,{s}),1)",
	"if(sleep(0),{s},{s}) as x",
	"benchmark(1,md5(1)), {s}",
	"name from `tabCase` union select {s}",
	"name union all select {s}",
)
SPELLINGS = (
	lambda s: s,
	lambda s: s.upper().replace("⟦CASE|HEX⟧", "⟦CASE|hex⟧").replace("⟦CASE|CHAR⟧", "⟦CASE|char⟧"),
	lambda s: s.replace(" ", "\t"),
	lambda s: s.replace(" ", "\n"),
	lambda s: s.replace(" ", "/**/"),
	lambda s: re.sub(r"\bselect\b", "SeLeCt", s),
)
DIRECT_FIELDS = (
	"`tabCase`.`what_happened`",
	"`tabCase`.`gmc_number` as x",
	"`tabCase Process`.`details`",
	"`tabCase Deadline`.`description`",
	"`tabEquality Monitoring`.`ethnic_group`",
	"`tabReview`.`circumstances`",
	"tabCase.email",
)
ORDER_PAYLOADS = (
	"{s}",
	"if({q}>0,name,creation)",
	"name desc, {s}",
	"(case when {q}>0 then name else creation end)",
	"name, if({q}>0,1,0)",
	"`name` /*",
	"name -- ",
	"name #",
	"name union select {s}",
	"extractvalue(1,concat(0x7e,{s}))",
	"name having {q}>0",
	"name with rollup",
	"name limit 1 into @x",
)


@dataclass(frozen=True)
class Payload:
	value: object  # a string, or a list/dict for list parameters
	family: str


PARENT_PARAMETERS = {"parent", "parenttype", "parent_doctype"}


def carrier_arguments(method: Method, doctype: str, context: dict) -> dict:
	"""A method's arguments other than the one under attack, harmless: the carrier doctype, a plain number
	card or dashboard chart where it takes one (so a filter reaches their query), and what is required."""
	params = {}
	for parameter in method.parameters:
		if parameter.name in DOCTYPE_PARAMETERS - PARENT_PARAMETERS:
			params[parameter.name] = doctype
		elif parameter.name == "doc" and "number_card" in method.path:
			params["doc"] = {"function": "Count", "document_type": doctype, "filters_json": "[]"}
		elif parameter.name == "chart":
			params["chart"] = {
				"chart_type": "Group By",
				"group_by_type": "Count",
				"group_by_based_on": "name",
				"document_type": doctype,
				"filters_json": "[]",
			}
		elif parameter.required:
			params[parameter.name] = generic_value(parameter, context)
	if "doctype" in method.request_keys:
		params["doctype"] = doctype
	return params


@cache
def field_payloads() -> list[str]:
	payloads = [
		spell(wrapper.format(s=secret))
		for wrapper in FIELD_WRAPPERS
		for secret in SECRET_READS + SECRET_QUESTIONS
		for spell in SPELLINGS
	]
	return payloads + list(DIRECT_FIELDS)


@cache
def order_payloads() -> list[str]:
	return [
		spell(template.format(s=secret, q=question))
		for template in ORDER_PAYLOADS
		for secret in SECRET_READS
		for question in SECRET_QUESTIONS
		for spell in SPELLINGS[:4]
	]


@cache
def filter_payloads(doctype: str) -> list[object]:
	"""Filters whose fieldnames or operators are expressions, raw SQL strings, other tables' fields."""
	payloads: list[object] = []
	for question in SECRET_QUESTIONS:
		payloads += [
			[[doctype, question, "=", 1]],
			[[question, "=", 1]],
			{question: 1},
			{f"ifnull({question},0)": [">", 0]},
			[[doctype, "name", f"= name and {question} > 0 and '' =", ""]],
			[[doctype, "name", "like", "%"], [doctype, f"name) or ({question}", ">", 0]],
			f"1=1 and {question} > 0",
			f"{question} > 0",
			{"name": ["like", f"%' or {question} > 0 or '"]},
		]
	for secret in SECRET_READS:
		payloads += [
			{f"{secret}": ["like", "%"]},
			[[doctype, f"extractvalue(1,concat(0x7e,{secret}))", "=", 1]],
		]
	payloads += [
		[["Case", "gmc_number", "=", "⟦GMC⟧"]],
		{"`tabCase`.`gmc_number`": "⟦GMC⟧"},
		[["Equality Monitoring", "case", "=", "⟦CASE⟧"]],
		{"`tabEquality Monitoring`.`case`": "⟦CASE⟧"},
		[["Case Process", "parent", "=", "⟦CASE⟧"]],
		{"`tabCase Process`.`parent`": "⟦CASE⟧"},
		[["Case", "what_happened", "like", "%"]],
	]
	return payloads


SEARCH_PAYLOADS = (
	"%' or 1=1 -- ",
	"⟦GMC⟧",
	"%' union select what_happened from tabCase where name='⟦CASE⟧' -- ",
	"' or (select count(*) from tabCase where gmc_number='⟦GMC⟧')>0 or '",
	"⟦CASE⟧",
)


@cache
def payloads_for(parameter: str, doctype: str) -> list[Payload]:
	"""Every payload of the battery that fits this parameter."""
	if parameter in FIELD_LIST_PARAMETERS:
		return [Payload(["name", p], "field list") for p in field_payloads()] + [
			Payload([p], "field list alone") for p in field_payloads()[::7]
		]
	if parameter in FIELD_PARAMETERS:
		return [Payload(p, "field") for p in field_payloads()]
	if parameter in ORDER_PARAMETERS:
		return [Payload(p, "order/group") for p in order_payloads()]
	if parameter in FILTER_PARAMETERS:
		return [Payload(p, "filter") for p in filter_payloads(doctype)]
	if parameter in SEARCH_PARAMETERS:
		return [Payload(p, "search text") for p in SEARCH_PAYLOADS]
	return []


def sample(payloads: list, count: int, seed: str) -> list:
	return random.Random(seed).sample(payloads, min(count, len(payloads)))


def aggregate_attacks(doctype: str) -> Iterator[tuple[str, dict, str]]:
	"""Number cards and dashboard charts, whose aggregate arguments go into SQL; and the group-by count."""
	card = "frappe.desk.doctype.number_card.number_card.get_result"
	chart = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"
	for secret in SECRET_READS + SECRET_QUESTIONS:
		for function in ("Sum", "Maximum", "Minimum", "Average"):
			yield (
				card,
				{
					"doc": {
						"function": function,
						"aggregate_function_based_on": secret,
						"document_type": doctype,
						"filters_json": "[]",
					},
					"filters": [],
				},
				f"number card {function} of an expression",
			)
		yield (
			chart,
			{
				"chart": {
					"chart_type": "Group By",
					"group_by_type": "Count",
					"group_by_based_on": secret,
					"document_type": doctype,
					"filters_json": "[]",
				}
			},
			"dashboard chart grouped by an expression",
		)
		yield (
			chart,
			{
				"chart": {
					"chart_type": "Group By",
					"group_by_type": "Sum",
					"group_by_based_on": "name",
					"aggregate_function_based_on": secret,
					"document_type": doctype,
					"filters_json": "[]",
				}
			},
			"dashboard chart summing an expression",
		)
		yield (
			chart,
			{
				"chart": {
					"chart_type": "Sum",
					"based_on": "creation",
					"value_based_on": secret,
					"timespan": "Last Year",
					"time_interval": "Yearly",
					"document_type": doctype,
					"filters_json": "[]",
				}
			},
			"dashboard chart of an expression's sum",
		)
	for group in ("assigned_to", "owner", "caseworker", "workflow_state", "_assign"):
		for filters in (
			[["Case", "gmc_number", "=", "⟦GMC⟧"]],
			[["Case", "email", "=", "⟦EMAIL⟧"]],
			[["Case", "name", "=", "⟦CASE⟧"]],
		):
			yield (
				"frappe.desk.listview.get_group_by_count",
				{"doctype": "Case", "current_filters": filters, "field": group},
				f"group-by count by {group} of the victim's case",
			)


# ---- answers

DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2})?")
EXCEPTION_ID = re.compile(r"[0-9a-f]{40,64}")
HASH_NAME = re.compile(r'(?<=")[0-9a-z]{10}(?=\\?")')  # a generated name, as a JSON string
DURATION = re.compile(r'"(?:elapsed|duration|time_taken)"\s*:\s*[\d.]+')


def comparable(text: str, values: dict[str, str]) -> str:
	"""An answer with the victim's (or the missing case's) names put back as placeholders and the volatile
	bits (times, exception ids, generated names) taken out."""
	for name, value in sorted(values.items(), key=lambda item: -len(item[1])):
		if not value:
			continue
		for how in ENCODINGS:
			text = text.replace(encode(value, how), token(name))
		text = text.replace(json.dumps(value)[1:-1], token(name))
	text = DATETIME.sub("⟨time⟩", text)
	text = EXCEPTION_ID.sub("⟨id⟩", text)
	text = HASH_NAME.sub("⟨hash⟩", text)
	return DURATION.sub("⟨duration⟩", text)


@dataclass
class Markers:
	"""The victim's secrets, as they would show in an answer."""

	secrets: dict[str, str]  # label -> value: a leak wherever it shows
	references: dict[str, str]  # label -> value: a leak unless the request named it
	equality_answers: dict[str, str]  # field -> the victim's answer, where no one else gave it
	equality_options: dict[str, list[str]] = field(default_factory=dict)

	def found_in(self, text: str, request_text: str) -> list[str]:
		found = [
			label
			for label, value in {**self.secrets, **self.references}.items()
			if value and value in text and value not in request_text
		]
		shown = [question for question in self.equality_answers if self.shows_answer(question, text)]
		if len(shown) >= 3:
			found.append("equality answers (" + ", ".join(sorted(shown)) + ")")
		return found

	def shows_answer(self, question: str, text: str) -> bool:
		"""Whether the text shows the victim's answer to a question as an answer, not as one of a list of
		every answer (a form's options, a report's categories)."""
		answer = self.equality_answers[question]
		if answer not in text:
			return False
		others = [
			o for o in self.equality_options.get(question, ()) if o and o not in (answer, "Prefer not to say")
		]
		return sum(other in text for other in others) < len(others) / 2
