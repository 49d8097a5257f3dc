"""Where the clinic's MQTT broker is and how to reach it safely: parsed and checked once.

The URL names only the host, the port and whether TLS is used; credentials come from
the config file or a password file, never from the command line (other users of the
machine can read any process's arguments). `security_problems` is what --check-config
adds to its checks: a password sent without TLS to another machine, a password file
others can read, TLS settings that cannot be used.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.config.settings import NetworkConfig
from kiosk.core.errors import ConfigError


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    ca_file: Path | None = None
    username: str | None = None
    password: str | None = None
    keepalive: int = 10

    def __repr__(self) -> str:  # never show the password in a log or a traceback
        scheme = "mqtts" if self.tls else "mqtt"
        return f"Broker({scheme}://{self.host}:{self.port}, user={self.username!r})"


def parse_url(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) from mqtt://host[:port] or mqtts://host[:port]."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"broker URL {url!r}: {exc}") from exc
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ConfigError(f"broker URL {url!r}: must start with mqtt:// or mqtts:// (TLS)")
    if not parts.hostname:
        raise ConfigError(f"broker URL {url!r}: names no host, like mqtt://127.0.0.1:1883")
    if parts.username or parts.password:
        raise ConfigError(
            f"broker URL for {parts.hostname}: holds a user name or password; put them in "
            "the config file (network.username, network.password_file) instead"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"broker URL {url!r}: only mqtt(s)://host:port is allowed")
    tls = parts.scheme == "mqtts"
    return parts.hostname, port or (8883 if tls else 1883), tls


def broker_from(config: NetworkConfig, url: str | None = None) -> Broker | None:
    """The broker the settings name (`url` overrides the config's), or None for none."""
    url = url or config.mqtt
    if url is None:
        return None
    host, port, tls = parse_url(url)
    password = read_secret(config.password_file) if config.password_file else None
    if config.ca_file is not None and not config.ca_file.is_file():
        raise ConfigError(f"network.ca_file {config.ca_file}: no such file")
    return Broker(host, port, tls, config.ca_file, config.username, password, config.keepalive)


def security_problems(config: NetworkConfig, broker: Broker | None) -> list[str]:
    """What is unsafe about these settings, each with what to do instead."""
    problems = []
    if broker is None:
        return []
    if not broker.tls and not is_local(broker.host):
        if broker.password is not None:
            problems.append(
                f"network.mqtt: the password would cross the network to {broker.host} "
                "unencrypted: use mqtts:// (TLS)"
            )
        else:
            problems.append(
                f"network.mqtt: alerts would cross the network to {broker.host} without "
                "TLS or a password: use mqtts:// with a user name and password_file"
            )
    if config.ca_file is not None and not broker.tls:
        problems.append("network.ca_file is set but the URL is mqtt://: use mqtts:// for TLS")
    if config.password_file is not None and _others_can_read(config.password_file):
        problems.append(
            f"network.password_file {config.password_file}: others can read it: "
            f"chmod 600 {config.password_file}"
        )
    if (config.username is None) != (config.password_file is None):
        problems.append("network: username and password_file go together: set both or neither")
    return problems


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the password file {path} ({exc})") from exc


def _others_can_read(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
