"""Who a coordinator alert goes to, as a pure function: the sending code reads the settings and the users,
this decides.

A new site has no "Coordinator alert recipients" in LNB Settings; its alerts must still reach someone, so
with none set they go to every enabled user with the LNB Coordinator role.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Coordinator:
	"""A user with the LNB Coordinator role: their email and whether their account is enabled."""

	email: str
	enabled: bool


def alert_recipients(configured: Iterable[str], coordinators: Iterable[Coordinator]) -> list[str]:
	"""The addresses set in the settings when any are; else each enabled coordinator's email. Blanks and
	repeats (in any letter case) dropped, first spelling and order kept."""
	chosen = [address.strip() for address in configured if address and address.strip()]
	if not chosen:
		chosen = [person.email.strip() for person in coordinators if person.enabled and person.email]
	return unique_addresses(chosen)


def accounts_among(recipients: Iterable[str], coordinators: Iterable[Coordinator]) -> list[str]:
	"""The emails of the enabled coordinators' accounts among the recipients, as their accounts spell
	them: who gets a bell notification (an address that is no coordinator's account gets the email only)."""
	wanted = {address.strip().lower() for address in recipients if address}
	return unique_addresses(
		person.email
		for person in coordinators
		if person.enabled and person.email and person.email.strip().lower() in wanted
	)


def unique_addresses(addresses: Iterable[str]) -> list[str]:
	seen, kept = set(), []
	for address in addresses:
		if address.lower() not in seen:
			seen.add(address.lower())
			kept.append(address)
	return kept
