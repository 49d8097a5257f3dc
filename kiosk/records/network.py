"""Everything a kiosk sends beyond its own disk, put together from the settings.

Alerts go to the staff desk (`leg-kiosk/<id>/alert`), each written summary is
announced there (`.../result`, its id and triage only) and, with a FHIR server
configured, its Bundle is sent there. All of it goes through on-disk outboxes, so
the person at the kiosk is never kept waiting and is told nothing different when the
network is down. When the desk acknowledges this session's alert, the kiosk shows
and says the pack's `staff_on_their_way` line; an ack for an earlier person's alert
is not shown to the next one.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from kiosk.config.settings import Settings
from kiosk.core.errors import ConfigError
from kiosk.core.events import End, Output, Say
from kiosk.language.pack import Pack
from kiosk.records import alert as staff_alert
from kiosk.records import fhir, messages
from kiosk.records.broker import Broker, broker_from, read_secret
from kiosk.records.fhir_post import FhirPoster
from kiosk.records.mqtt_link import KioskLink
from kiosk.records.outbox import Outbox
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge

log = logging.getLogger(__name__)
FHIR_SUFFIX = "fhir"
"""Each summary's Bundle is <stem>.fhir beside <stem>.json: FHIR JSON, kept apart from *.json."""


class KioskNetwork:
    """The kiosk's MQTT link and FHIR poster (either may be absent), and the ack notice."""

    def __init__(
        self,
        kiosk_id: str,
        staff_coming: str,
        link: KioskLink | None = None,
        poster: FhirPoster | None = None,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.staff_coming = staff_coming
        self.link = link
        self.poster = poster
        self._lock = threading.RLock()
        self._emit: Callable[[Output], None] | None = None
        self._awaiting: set[str] = set()
        self.wake: Callable[[], None] = lambda: None
        """Called after the ack line is emitted, so a front end that is listening says it
        now (voice mode: `Inbox.nudge`)."""
        if link is not None:
            link.on_ack = self._acknowledged

    def start(self) -> None:
        for part in (self.link, self.poster):
            if part is not None:
                part.start()

    def close(self) -> None:
        for part in (self.link, self.poster):
            if part is not None:
                part.close()

    def send_alert(self, alert: staff_alert.Alert) -> None:
        """StaffAlert's network hook: the alert into the outbox, awaiting the desk's ack."""
        if self.link is None:
            return
        with self._lock:
            self._awaiting.add(alert.id)
        seq = self.link.outbox.next_seq()
        flags = alert.red_flags
        self.link.post(messages.Alert(alert.id, self.kiosk_id, seq, alert.time, "emergency", flags))

    def summary_written(self, stem: str, summary: Summary, files: Mapping[str, str]) -> None:
        """ReportWriter's hook: announce the summary, and send its FHIR Bundle."""
        if self.link is not None:
            seq = self.link.outbox.next_seq()
            ready = messages.ResultReady(
                messages.new_id(), self.kiosk_id, seq, messages.now(), stem, summary.triage
            )
            self.link.post(ready)
        if self.poster is not None and FHIR_SUFFIX in files:
            self.poster.post(json.loads(files[FHIR_SUFFIX]))

    def watch(self, emit: Callable[[Output], None]) -> Callable[[Output], None]:
        """`emit`, serialised with the ack notice (which arrives on another thread)."""

        def locked(output: Output) -> None:
            with self._lock:
                if isinstance(output, End):
                    self._awaiting.clear()
                emit(output)

        self._emit = locked
        return locked

    def _acknowledged(self, ack: messages.Ack) -> None:
        with self._lock:
            if ack.alert_id not in self._awaiting or self._emit is None:
                log.info("an ack already shown, or for an earlier session: not shown")
                return
            self._awaiting.discard(ack.alert_id)
            log.info("staff acknowledged the alert")
            self._emit(Say(self.staff_coming, "info"))
        self.wake()


def build_network(settings: Settings, pack: Pack) -> KioskNetwork:
    """The network the settings ask for (ConfigError when they cannot be used)."""
    config = settings.network
    broker = broker_from(config)
    try:
        return _build(settings, pack, broker)
    except OSError as exc:
        raise ConfigError(
            f"network.outbox_dir {config.outbox_dir}: cannot be used ({exc.strerror or exc}); "
            "the kiosk user must be able to write there"
        ) from exc


def _build(settings: Settings, pack: Pack, broker: Broker | None) -> KioskNetwork:
    config = settings.network
    outboxes = config.outbox_dir
    link = None
    if broker is not None:
        outbox = Outbox(outboxes / "mqtt", config.outbox_limit)
        link = KioskLink(broker, settings.kiosk_id, outbox, config.heartbeat)
    poster = None
    records = settings.records
    if records.fhir_url:
        token = _token(records.fhir_token_file)
        outbox = Outbox(outboxes / "fhir", config.outbox_limit)
        poster = FhirPoster(records.fhir_url, outbox, records.retry_every, token)
    return KioskNetwork(settings.kiosk_id, pack.say("staff_on_their_way"), link, poster)


def fhir_renderer(knowledge: Knowledge, pack: Pack) -> Callable[[Summary], str]:
    def render(summary: Summary) -> str:
        return json.dumps(fhir.bundle(summary, knowledge, pack), ensure_ascii=False, indent=1)

    return render


def _token(path: Path | None) -> str | None:
    return read_secret(path) if path is not None else None
