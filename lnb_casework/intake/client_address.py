"""Which address a request comes from, as far as it can be trusted: what the public intake's rate limit counts.

Anyone can send an X-Forwarded-For header, so by default only the address of the connection counts. A site
behind N reverse proxies of its own (site config `lnb_trusted_proxy_count`) takes the address the N-th proxy
from the site saw, which each proxy appends to X-Forwarded-For; entries before it are the client's to write.
"""

import ipaddress
from collections.abc import Sequence

# An IPv6 user is usually given a whole /64, so its addresses are counted together.
IPV6_PREFIX = 64


def client_address(connection_address: str | None, forwarded_for: Sequence[str], trusted_proxies: int) -> str:
	"""The client's address: the connection's, or the one the outermost trusted proxy saw.

	`forwarded_for` holds the request's X-Forwarded-For headers in order. A request with fewer entries than
	there are trusted proxies did not come through all of them, and an entry that is not an address was
	not written by one: both count as the connection's address.
	"""
	connection = connection_address or ""
	if trusted_proxies <= 0:
		return connection
	hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
	if len(hops) < trusted_proxies:
		return connection
	try:
		return str(ipaddress.ip_address(hops[-trusted_proxies]))
	except ValueError:
		return connection


def rate_limit_key(address: str) -> str:
	"""What one client's submissions are counted under: its IPv4 address, or its IPv6 /64 network."""
	try:
		parsed = ipaddress.ip_address(address)
	except ValueError:
		return address or "unknown"
	if isinstance(parsed, ipaddress.IPv6Address):
		if parsed.ipv4_mapped:
			return str(parsed.ipv4_mapped)
		return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
	return str(parsed)
