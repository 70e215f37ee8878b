"""The charts the app's reports draw."""

from collections.abc import Mapping


def bar_chart(series: str, values: Mapping[str, float], **options) -> dict:
	"""One series of bars: each (translated) label with its value; `options` are Frappe chart options."""
	return {
		"data": {"labels": list(values), "datasets": [{"name": series, "values": list(values.values())}]},
		"type": "bar",
		**options,
	}
