"""No two modules of the app import each other, directly or round a longer loop.

The graph is read from the source with ast, so no site or database is needed. Every import counts, those
inside functions too: an import deferred to call time to dodge a cycle is still a cycle.
"""

import ast
import unittest
from collections.abc import Iterator
from pathlib import Path

APP = "lnb_casework"
APP_DIR = Path(__file__).resolve().parent


def module_name(path: Path) -> str:
	parts = path.relative_to(APP_DIR.parent).with_suffix("").parts
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
	return {
		module_name(path): path
		for path in APP_DIR.rglob("*.py")
		if "node_modules" not in path.parts and "__pycache__" not in path.parts
	}


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
	"""Every dotted name the module imports, with `from x import y` giving both x and x.y."""
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			yield from (alias.name for alias in node.names)
		elif isinstance(node, ast.ImportFrom):
			if node.level:
				package = module.split(".")
				base = package[: len(package) - node.level + (1 if is_package else 0)]
				source = ".".join(base + ([node.module] if node.module else []))
			else:
				source = node.module or ""
			yield source
			yield from (f"{source}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
	"""{module: the app's modules it imports}."""
	modules = app_modules()
	graph: dict[str, set[str]] = {}
	for module, path in modules.items():
		tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
		names = imported_names(tree, module, path.name == "__init__.py")
		graph[module] = {name for name in names if name in modules and name != module}
	return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
	"""One loop of imports as [a, b, ..., a], or [] when there is none."""
	done: set[str] = set()
	path: list[str] = []
	on_path: set[str] = set()

	def visit(module: str) -> list[str]:
		path.append(module)
		on_path.add(module)
		for imported in sorted(graph.get(module, ())):
			if imported in on_path:
				return [*path[path.index(imported) :], imported]
			if imported not in done:
				cycle = visit(imported)
				if cycle:
					return cycle
		on_path.discard(path.pop())
		done.add(module)
		return []

	for module in sorted(graph):
		if module not in done:
			cycle = visit(module)
			if cycle:
				return cycle
	return []


class TestImportGraph(unittest.TestCase):
	def test_the_app_has_no_import_cycle(self):
		cycle = find_cycle(import_graph())
		self.assertEqual(cycle, [], "Modules that import each other: " + " -> ".join(cycle))

	def test_the_graph_sees_the_apps_imports(self):
		"""A reader that found no imports would find no cycle either."""
		graph = import_graph()
		self.assertIn("lnb_casework.learning.issues", graph["lnb_casework.learning.summary"])
		self.assertIn("lnb_casework.casework.rules", graph["lnb_casework.setup.install"])
		self.assertGreater(sum(map(len, graph.values())), 100)

	def test_an_import_inside_a_function_counts(self):
		tree = ast.parse("def later():\n\tfrom lnb_casework.learning import summary\n")
		names = set(imported_names(tree, "lnb_casework.learning.issues", False))
		self.assertIn("lnb_casework.learning.summary", names)

	def test_relative_imports_are_resolved(self):
		tree = ast.parse("from . import rules\nfrom ..learning.issues import evidence_of\n")
		names = set(imported_names(tree, "lnb_casework.casework.guards", False))
		self.assertIn("lnb_casework.casework.rules", names)
		self.assertIn("lnb_casework.learning.issues", names)

	def test_a_cycle_is_found_and_named(self):
		graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
		self.assertEqual(find_cycle(graph), ["a", "b", "c", "a"])
		self.assertEqual(find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}), [])
