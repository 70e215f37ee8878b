"""A connection to one site for the length of a `with` block, for the app's bench commands."""

import contextlib
from collections.abc import Iterator

import frappe


@contextlib.contextmanager
def connected_to(site: str) -> Iterator[None]:
	frappe.init(site=site)
	frappe.connect()
	try:
		yield
	finally:
		frappe.destroy()
