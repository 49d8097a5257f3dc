"""The production setup the README shows, on a real Mosquitto: TLS, a password per
kiosk, and an ACL so a kiosk may write only its own topics. The kiosk and the desk
connect with what their config files name; a wrong password keeps a kiosk off the
broker without troubling the person at it; another kiosk's topics are closed to it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.broker import Mosquitto
from tests.support.fleet import ROOT, Process, emergency, start_kiosk

pytestmark = [pytest.mark.broker]

ACL = """\
# a kiosk (user name = its kiosk_id) writes only its own topics and reads its own acks
pattern write leg-kiosk/%u/alert
pattern write leg-kiosk/%u/result
pattern write leg-kiosk/%u/status
pattern read leg-kiosk/%u/ack
user desk
topic read leg-kiosk/+/alert
topic read leg-kiosk/+/result
topic read leg-kiosk/+/status
topic write leg-kiosk/+/ack
"""


def openssl(folder: Path, *arguments: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=folder, check=True, capture_output=True)


def certificates(folder: Path) -> None:
    """A CA and a broker certificate for localhost, made for this test only."""
    folder.mkdir(parents=True, exist_ok=True)
    openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=test clinic CA", "-keyout", "ca.key", "-out", "ca.crt")  # fmt: skip
    openssl(folder, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "broker.key", "-out", "broker.csr")  # fmt: skip
    (folder / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl(folder, "x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", "san.cnf", "-out", "broker.crt")  # fmt: skip


def secret(folder: Path, name: str, password: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.password"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def secure_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    folder = tmp_path / "broker"
    certificates(folder)
    passwords = folder / "passwd"
    passwords.write_text("")
    for user, password in (("ward-3", "pw-ward-3"), ("desk", "pw-desk")):
        subprocess.run(["mosquitto_passwd", "-b", str(passwords), user, password], check=True)
    passwords.chmod(0o600)
    (folder / "acl").write_text(ACL)
    server = Mosquitto(folder, security=[
        f"cafile {folder / 'ca.crt'}", f"certfile {folder / 'broker.crt'}",
        f"keyfile {folder / 'broker.key'}", "allow_anonymous false",
        f"password_file {passwords}", f"acl_file {folder / 'acl'}",
    ])  # fmt: skip
    server.start()
    yield server
    server.stop()


def config(tmp_path: Path, broker: Mosquitto, user: str, password: str) -> Path:
    path = tmp_path / f"{user}.yaml"
    path.write_text(
        f"kiosk_id: {user}\nreport_dir: {tmp_path / user / 'reports'}\nalert:\n  file:\n"
        f"network:\n  mqtt: mqtts://localhost:{broker.port}\n"
        f"  ca_file: {broker.folder / 'ca.crt'}\n  username: {user}\n"
        f"  password_file: {secret(tmp_path, user, password)}\n"
        f"  keepalive: 2\n  heartbeat: 1\n  outbox_dir: {tmp_path / user / 'outbox'}\n"
    )
    return path


def test_kiosk_and_desk_over_tls_with_passwords_and_an_acl(
    tmp_path: Path, secure_broker: Mosquitto
) -> None:
    desk_config = config(tmp_path, secure_broker, "desk", "pw-desk")
    check = subprocess.run([sys.executable, "-m", "kiosk", "--check-config", str(desk_config)],
                           capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert check.returncode == 0, check.stderr  # TLS, a user and a private password file
    desk = Process([sys.executable, "-m", "kiosk.desk", "--jsonl", "--config", str(desk_config)])
    kiosk = start_kiosk(config(tmp_path, secure_broker, "ward-3", "pw-ward-3"))
    impostor = start_kiosk(config(tmp_path / "other", secure_broker, "ward-3", "wrong"))
    try:
        desk.expect(lambda e: e["event"] == "subscribed")
        desk.expect(lambda e: e["event"] == "online" and e["kiosk_id"] == "ward-3")
        emergency(impostor)  # refused by the broker; the person is told nothing different
        assert not [e for _, e in impostor.seen if e.get("kind") == "error"]
        emergency(kiosk)
        alert = desk.expect(lambda e: e["event"] == "alert")
        assert alert["kiosk_id"] == "ward-3"
        desk.send("")
        kiosk.expect(lambda e: e["event"] == "say" and "on their way" in e["text"])

        stranger = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="ward-3-stranger")
        stranger.username_pw_set("ward-3", "pw-ward-3")
        stranger.tls_set(ca_certs=str(secure_broker.folder / "ca.crt"))
        stranger.connect("localhost", secure_broker.port)
        stranger.loop_start()
        forged = (
            '{"event":"emergency","id":"' + "d" * 32 + '","kiosk_id":"ward-4","seq":1,'
            '"time":"2026-01-05T10:31:07+00:00","triage":"emergency","red_flags":[]}'
        )
        stranger.publish("leg-kiosk/ward-4/alert", forged, qos=1).wait_for_publish(5)
        own = forged.replace("ward-4", "ward-3").replace("d" * 32, "e" * 32)
        stranger.publish("leg-kiosk/ward-3/alert", own, qos=1).wait_for_publish(5)
        stranger.disconnect()
        stranger.loop_stop()
        desk.expect(lambda e: e["event"] == "alert" and e["id"] == "e" * 32)
        alerts = [e["kiosk_id"] for _, e in desk.seen if e["event"] == "alert"]
        assert alerts == ["ward-3", "ward-3"]  # ward-3 cannot speak for ward-4
    finally:
        for process in (desk, kiosk, impostor):
            process.stop()
    waiting = tmp_path / "other" / "ward-3" / "outbox" / "mqtt"
    assert len(list(waiting.glob("0-*.json"))) == 1  # its alert waits: the broker refused it
