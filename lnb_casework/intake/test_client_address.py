"""The address the intake's rate limit counts: pure functions, no database needed."""

import unittest

from lnb_casework.intake.client_address import client_address, rate_limit_key


class TestClientAddress(unittest.TestCase):
	def test_without_trusted_proxies_only_the_connection_counts(self):
		self.assertEqual(client_address("203.0.113.9", ["198.51.100.1"], 0), "203.0.113.9")
		self.assertEqual(client_address("203.0.113.9", [], 0), "203.0.113.9")
		self.assertEqual(client_address("203.0.113.9", ["198.51.100.1"], -1), "203.0.113.9")

	def test_behind_trusted_proxies_the_outermost_one_says_who_connected(self):
		# the client wrote the first entry itself; the proxy appended the address it saw
		self.assertEqual(client_address("10.0.0.2", ["6.6.6.6, 198.51.100.7"], 1), "198.51.100.7")
		self.assertEqual(client_address("10.0.0.2", ["6.6.6.6, 198.51.100.7, 10.0.0.3"], 2), "198.51.100.7")
		self.assertEqual(
			client_address("10.0.0.2", ["6.6.6.6", "198.51.100.7"], 1),
			"198.51.100.7",
			"several headers count as one list",
		)
		self.assertEqual(client_address("10.0.0.2", [" 2001:DB8::1 "], 1), "2001:db8::1")

	def test_a_header_no_trusted_proxy_wrote_is_not_believed(self):
		self.assertEqual(client_address("10.0.0.2", [], 1), "10.0.0.2")
		self.assertEqual(client_address("10.0.0.2", ["198.51.100.7"], 2), "10.0.0.2")
		self.assertEqual(client_address("10.0.0.2", ["not-an-address"], 1), "10.0.0.2")
		self.assertEqual(client_address("10.0.0.2", ["198.51.100.7, "], 1), "10.0.0.2")
		self.assertEqual(client_address(None, [], 0), "")

	def test_rate_limit_key(self):
		self.assertEqual(rate_limit_key("203.0.113.9"), "203.0.113.9")
		self.assertEqual(rate_limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64")
		self.assertEqual(
			rate_limit_key("2001:db8:1:2:bbbb::9"),
			rate_limit_key("2001:db8:1:2:aaaa::1"),
			"one /64 is one client",
		)
		self.assertNotEqual(rate_limit_key("2001:db8:1:3::1"), rate_limit_key("2001:db8:1:2::1"))
		self.assertEqual(rate_limit_key("::ffff:203.0.113.9"), "203.0.113.9")
		self.assertEqual(rate_limit_key(""), "unknown")
