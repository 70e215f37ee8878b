"""Realtime over a real socket.io connection, through nginx as scripts/test.sh serves the site (docs/realtime.md).

Two caseworkers, a coordinator and a policy lead (signed in by API key), and a guest whose Origin, Host and
X-Frappe-Site-Name point at a small server of its own that claims "you are the coordinator", each join
every room they can: their user room, the rooms of both cases (as stored and in lower case), the doctype
room of every guarded doctype. Then cases, comments, an email to the doctor and data-protection records
are made and saved. What each received is listed by room (the room is read from Redis, where the site
publishes every event) in $LNB_ARTIFACTS/realtime-messages.txt; nobody hears of a case they may not read,
and each reader hears of their own. The internal ports are shown closed to another machine (a network
namespace), and the public one open.
"""

import json
import os
import shutil
import subprocess
import threading
import time
import typing
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import frappe
import pytest
import redis
import socketio

COORDINATOR = "rt-coordinator@lnb.test"
CASEWORKER_A = "rt-caseworker-a@lnb.test"
CASEWORKER_B = "rt-caseworker-b@lnb.test"
POLICY_LEAD = "rt-policy-lead@lnb.test"
GUARDED_DOCTYPES = (
	"Case",
	"Review",
	"Case State Change",
	"Caseworker Profile",
	"Subject Access Request",
	"Erasure Request",
	"Owed Intake Mail",
	"LNB Alert Log",
	"Equality Monitoring",
	"Systemic Issue Evidence",
	"Comment",
	"Communication",
	"File",
	"ToDo",
	"Version",
	"View Log",
	"Document Follow",
	"Workflow Action",
	"Tag Link",
)
SETTLE = 4.0


def site() -> str:
	return os.environ["LNB_SITE"]


def make_case(label: str, caseworker: str | None) -> str:
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": f"Dr {label} Realtime",
			"email": f"rt-{label.lower()}-{uuid.uuid4().hex[:8]}@example.com",
			"what_happened": f"realtime test case {label}",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Case", case.name, {"workflow_state": "Allocated", "caseworker": caseworker})
	frappe.db.commit()
	return case.name


class Listener:
	"""One socket.io client of the site, keeping every event it receives."""

	def __init__(self, who: str, url: str, headers: dict[str, str], transport: str = "websocket"):
		self.who = who
		self.received: list[tuple[str, object]] = []
		self.client = socketio.Client(reconnection=False)
		self.namespace = f"/{site()}"
		self.client.on("*", self.keep, namespace=self.namespace)
		self.refused = ""
		try:
			self.client.connect(
				url, headers=headers, namespaces=[self.namespace], transports=[transport], wait_timeout=20
			)
		except socketio.exceptions.ConnectionError as error:
			self.refused = str(error)

	def keep(self, event: str, data: object = None) -> None:
		self.received.append((event, data))

	def emit(self, event: str, *args: object) -> None:
		if not self.refused:
			self.client.emit(event, args, namespace=self.namespace)

	def join_everything(self, cases: list[str]) -> None:
		for doctype in GUARDED_DOCTYPES:
			self.emit("doctype_subscribe", doctype)
		for case in cases:
			for name in (case, case.lower()):
				self.emit("doc_subscribe", "Case", name)
				self.emit("doc_open", "Case", name)

	def close(self) -> None:
		if not self.refused:
			self.client.disconnect()


class RedisRooms:
	"""Every event the site publishes (Frappe sends each to the realtime server through Redis), with its
	room, so that what a client received can be listed by room."""

	def __init__(self):
		self.published: list[dict] = []
		self.connection = redis.Redis.from_url(frappe.conf.redis_socketio or frappe.conf.redis_queue)
		self.pubsub = self.connection.pubsub()
		self.pubsub.subscribe("events")
		self.thread = threading.Thread(target=self.listen, daemon=True)
		self.running = True
		self.thread.start()

	def listen(self) -> None:
		while self.running:
			message = self.pubsub.get_message(timeout=0.2)
			if message and message["type"] == "message":
				event = json.loads(message["data"])
				if event.get("namespace") == site():
					self.published.append(event)

	def room_of(self, event: str, data: object, user: str) -> str:
		"""The room the site sent this to; of the same message sent to several users' rooms, this user's."""
		rooms = [
			published["room"]
			for published in self.published
			if published["event"] == event and published["message"] == data
		]
		if not rooms:
			return "(sent by the realtime server itself)"
		if f"user:{user}" in rooms:
			return f"user:{user}"
		return next((room for room in rooms if not room.startswith("user:")), rooms[0])

	def stop(self) -> None:
		self.running = False
		self.thread.join(timeout=2)
		self.pubsub.close()


class ClaimsToBeTheCoordinator(BaseHTTPRequestHandler):
	"""What an attacker's server would answer the realtime server, if it asked it."""

	asked: typing.ClassVar[list[str]] = []

	def do_GET(self):
		ClaimsToBeTheCoordinator.asked.append(self.path)
		body = json.dumps({"message": {"user": COORDINATOR, "user_type": "System User"}}).encode()
		self.send_response(200)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(body)))
		self.end_headers()
		self.wfile.write(body)

	def log_message(self, *args):
		pass


def mentions(data: object, name: str) -> bool:
	return name.lower() in json.dumps(data, default=str).lower()


@pytest.fixture(scope="module")
def people(user_session):
	return {
		"caseworker A": user_session(CASEWORKER_A, "LNB Caseworker"),
		"caseworker B": user_session(CASEWORKER_B, "LNB Caseworker"),
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"policy lead": user_session(POLICY_LEAD, "LNB Policy Lead"),
	}


@pytest.fixture(scope="module")
def fake_site():
	server = ThreadingHTTPServer(("127.0.0.1", 0), ClaimsToBeTheCoordinator)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	yield f"127.0.0.1:{server.server_address[1]}"
	server.shutdown()


def test_realtime_reaches_only_those_who_may_read(people, base_url, fake_site):
	case_a = make_case("A", CASEWORKER_A)
	case_b = make_case("B", CASEWORKER_B)
	cases = {"caseworker A": case_a, "caseworker B": case_b}
	rooms = RedisRooms()
	listeners = {
		who: Listener(who, base_url, {"Authorization": session.headers["Authorization"], "Cookie": "lnb=1"})
		for who, session in people.items()
	}
	listeners["guest with a forged Origin"] = Listener(
		"guest with a forged Origin",
		base_url,
		{
			"Origin": f"http://{fake_site}",
			"Host": fake_site,
			"X-Frappe-Site-Name": site(),
			"Cookie": "sid=made-up",
		},
		# polling, whose requests carry the forged Host in place of their own
		transport="polling",
	)
	try:
		for listener in listeners.values():
			listener.join_everything([case_a, case_b])
		time.sleep(SETTLE)
		coordinator = people["coordinator"]
		for case in (case_a, case_b):
			saved = coordinator.put(
				f"{base_url}/api/resource/Case/{case}",
				json={"casework_notes": f"notes on {case}"},
				timeout=60,
			)
			assert saved.status_code == 200, saved.text
			commented = coordinator.post(
				f"{base_url}/api/method/frappe.desk.form.utils.add_comment",
				data={
					"reference_doctype": "Case",
					"reference_name": case,
					"content": f"a comment on {case}",
					"comment_email": COORDINATOR,
					"comment_by": COORDINATOR,
				},
				timeout=60,
			)
			assert commented.status_code == 200, commented.text
			doctor = frappe.db.get_value("Case", case, "email")
			mailed = coordinator.post(
				f"{base_url}/api/method/frappe.core.doctype.communication.email.make",
				data={
					"doctype": "Case",
					"name": case,
					"recipients": doctor,
					"subject": f"About your case {case}",
					"content": f"The coordinator writes about {case}",
					"send_email": 0,
				},
				timeout=60,
			)
			assert mailed.status_code == 200, mailed.text
		requested = coordinator.post(
			f"{base_url}/api/resource/Subject Access Request",
			json={"requester_email": frappe.db.get_value("Case", case_b, "email")},
			timeout=60,
		)
		# however the request is answered, a record made is listed only to its readers
		assert requested.status_code in (200, 417), requested.text
		time.sleep(SETTLE)
		frappe.publish_realtime("lnb_probe", {"to": "coordinator"}, user=COORDINATOR)
		frappe.publish_realtime("lnb_probe", {"to": "Guest"}, user="Guest")
		time.sleep(SETTLE)
	finally:
		for listener in listeners.values():
			listener.close()
		rooms.stop()

	users = {
		"caseworker A": CASEWORKER_A,
		"caseworker B": CASEWORKER_B,
		"coordinator": COORDINATOR,
		"policy lead": POLICY_LEAD,
		"guest with a forged Origin": "Guest",
	}
	report = []
	for who, listener in listeners.items():
		refused = f" (connection refused: {listener.refused})" if listener.refused else ""
		report.append(f"== {who}: {len(listener.received)} messages{refused}")
		by_room: dict[str, list[str]] = {}
		for event, data in listener.received:
			by_room.setdefault(rooms.room_of(event, data, users[who]), []).append(
				f"{event} {json.dumps(data, default=str)[:160]}"
			)
		for room, messages in sorted(by_room.items()):
			report.append(f"  room {room}:")
			report.extend(f"    {message}" for message in messages)
	text = "\n".join(report)
	print(text)
	Path(os.environ["LNB_ARTIFACTS"], "realtime-messages.txt").write_text(text + "\n")

	def heard_of(who: str, case: str) -> list:
		return [(event, data) for event, data in listeners[who].received if mentions(data, case)]

	assert [who for who in people if listeners[who].refused] == [], text
	# each caseworker hears of their own case, as it is saved, and nothing of the other's
	for who, own in cases.items():
		other = case_b if own == case_a else case_a
		assert any(event == "list_update" for event, _ in heard_of(who, own)), text
		assert heard_of(who, other) == [], text
	# the coordinator reads both and hears of both
	for case in (case_a, case_b):
		assert any(event == "list_update" for event, _ in heard_of("coordinator", case)), text
	for who in ("policy lead", "guest with a forged Origin"):
		assert heard_of(who, case_a) == [] and heard_of(who, case_b) == [], text
	# the forged guest is only a guest: never the coordinator, and its server was never asked who it is
	guest_probes = [
		data for event, data in listeners["guest with a forged Origin"].received if event == "lnb_probe"
	]
	assert {"to": "coordinator"} not in guest_probes, text
	assert ClaimsToBeTheCoordinator.asked == []
	assert {"to": "coordinator"} in [
		data for event, data in listeners["coordinator"].received if event == "lnb_probe"
	], text


def run_as_root(*command: str, check: bool = True) -> subprocess.CompletedProcess:
	prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
	return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check, timeout=60)


@pytest.fixture()
def other_machine():
	"""A network namespace joined to this machine by a veth pair: another machine on the network."""
	if shutil.which("ip") is None:
		pytest.fail("The reachability test needs iproute2 (ip).")
	suffix = uuid.uuid4().hex[:6]
	namespace, host_end, other_end = f"lnbrt{suffix}", f"lnbh{suffix}", f"lnbo{suffix}"
	run_as_root("ip", "netns", "add", namespace)
	try:
		run_as_root("ip", "link", "add", host_end, "type", "veth", "peer", "name", other_end)
		run_as_root("ip", "link", "set", other_end, "netns", namespace)
		run_as_root("ip", "addr", "add", "10.213.0.1/30", "dev", host_end)
		run_as_root("ip", "link", "set", host_end, "up")
		inside = ("ip", "netns", "exec", namespace)
		run_as_root(*inside, "ip", "addr", "add", "10.213.0.2/30", "dev", other_end)
		run_as_root(*inside, "ip", "link", "set", other_end, "up")
		run_as_root(*inside, "ip", "link", "set", "lo", "up")
		run_as_root(*inside, "ip", "route", "add", "default", "via", "10.213.0.1")
		yield namespace
	finally:
		run_as_root("ip", "link", "del", host_end, check=False)
		run_as_root("ip", "netns", "del", namespace, check=False)


def reachable_from(namespace: str, address: str, port: int) -> bool:
	probe = (
		"import socket, sys\n"
		"try:\n"
		"\tsocket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()\n"
		"except OSError:\n"
		"\tsys.exit(1)\n"
	)
	result = run_as_root(
		"ip", "netns", "exec", namespace, "python3", "-c", probe, address, str(port), check=False
	)
	return result.returncode == 0


def this_machines_address() -> str:
	"""eth0's address (192.0.2.2 here), the one other machines on the network reach this one at."""
	shown = run_as_root("ip", "-4", "-o", "addr", "show", "dev", "eth0", check=False).stdout.split()
	return shown[shown.index("inet") + 1].split("/")[0] if "inet" in shown else "10.213.0.1"


def test_only_the_proxy_is_reachable_from_another_machine(other_machine, base_url):
	public_port = urlsplit(base_url).port
	internal = {
		"web server": urlsplit(os.environ["LNB_WEB_URL"]).port,
		"realtime server": int(frappe.conf.socketio_port or 9000),
		"Redis": 6379,
		"MariaDB": 3306,
	}
	seen = {}
	for address in ("10.213.0.1", this_machines_address()):
		seen[(address, "nginx")] = reachable_from(other_machine, address, public_port)
		for what, port in internal.items():
			seen[(address, what)] = reachable_from(other_machine, address, port)
	print(seen)
	assert all(seen[(address, "nginx")] for address, _ in seen), seen
	assert not any(open_ for (address, what), open_ in seen.items() if what != "nginx"), seen
