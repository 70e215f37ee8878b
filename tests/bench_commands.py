"""Runs a bench command on the test site, as a person at the terminal would."""

import os
import subprocess


def site_command(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
	"""`bench --site <test site> <args>`, from the bench folder; its output captured."""
	bench = os.environ["LNB_BENCH"]
	return subprocess.run(
		[
			f"{bench}/env/bin/python",
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			os.environ["LNB_SITE"],
			*args,
		],
		cwd=f"{bench}/sites",
		capture_output=True,
		text=True,
		timeout=timeout,
	)


def migrate_site() -> None:
	"""`bench migrate` on the test site; fails the test with its output when it fails."""
	result = site_command("migrate")
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
