"""What --check-config says about the network settings: each problem with its fix.

A kiosk that cannot reach the desk safely should be found out by the person setting
it up, not by a patient in an emergency: the broker URL, the credentials, the TLS
settings, the kiosk id (it becomes a topic level) and the FHIR server URL are
checked here without connecting to anything.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk.config.settings import Settings
from kiosk.core.errors import ConfigError
from kiosk.records.broker import broker_from, is_local, security_problems
from kiosk.records.messages import KIOSK_ID


def network_problems(settings: Settings, mqtt_url: str | None = None) -> list[str]:
    """Every problem found; an empty list when the settings are fine (or unused)."""
    problems = []
    try:
        broker = broker_from(settings.network, mqtt_url)
    except ConfigError as exc:
        return [str(exc), *fhir_problems(settings)]
    if broker is not None:
        if not KIOSK_ID.fullmatch(settings.kiosk_id):
            problems.append(
                f"kiosk_id {settings.kiosk_id!r}: with MQTT it must be letters, digits, "
                "dots, dashes or underscores (at most 64), like ward-3-entrance"
            )
        problems += security_problems(settings.network, broker)
    return problems + fhir_problems(settings)


def fhir_problems(settings: Settings) -> list[str]:
    url = settings.records.fhir_url
    if url is None:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"records.fhir_url {url!r}: must be an https:// URL, like https://fhir.example/r4"]
    if parts.username or parts.password:
        return ["records.fhir_url: holds a user name or password; use fhir_token_file instead"]
    if parts.scheme == "http" and not is_local(parts.hostname):
        return [
            f"records.fhir_url: health records would cross the network to {parts.hostname} "
            "unencrypted: use https://"
        ]
    token = settings.records.fhir_token_file
    if token is not None and not token.is_file():
        return [f"records.fhir_token_file {token}: no such file"]
    return []
