"""Settings, built once at the entry point and passed down; nothing else reads os.environ.

Every field can be set in the YAML config file (see config/kiosk.example.yaml), under
the same name; `metadata={"range": (low, high)}` is what the loader enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config.speech import SpeechSettings, device
from kiosk.language.pack import DEFAULT_PROMPTS_DIR
from kiosk.triage.knowledge import DEFAULT_KNOWLEDGE

DEFAULT_CONFIG = Path("/etc/leg-kiosk/config.yaml")
"""Read when it exists and no --config is given (install-kiosk.sh writes it)."""


_SPEECH = SpeechSettings()
"""The defaults of how the kiosk speaks; the file's sections below start from them."""


@dataclass(frozen=True)
class VoiceConfig:
    model: Path | None = None
    """A Vosk model folder; nothing: look in models/ and in installed model packages."""
    input_device: int | str | None = None
    """The microphone: a device index or name (kiosk --list-devices); nothing: the default."""
    name: str | None = None
    """The speech engine's voice, for example en-gb; nothing: named like the language."""
    words_per_minute: int = field(default=_SPEECH.words_per_minute, metadata={"range": (80, 300)})
    """The default speech rate for each new person ("slower" and "faster" move from it)."""
    volume: float = field(default=_SPEECH.volume, metadata={"range": (0.1, 1.0)})
    """The default volume (0-1) for each new person, below the maximum so "louder" helps."""


@dataclass(frozen=True)
class AudioConfig:
    output: int | str | None = None
    """The room's loudspeaker: a sound output device index or name; nothing: the default."""
    private_output: int | str | None = None
    """Headphones for private listening (a second output device); nothing: none. A person
    switches to them (and back) with the H key."""
    private: bool = _SPEECH.private
    """Every person starts on the headphones (the room hears nothing): for a bedside."""
    earcons: bool = _SPEECH.earcons
    """A short tone as the microphone opens and another as it closes."""
    barge_in: bool = True
    """A person's voice (not the kiosk's own echo) stops the kiosk talking."""


@dataclass(frozen=True)
class Timeouts:
    no_speech: float = field(default=12.0, metadata={"range": (3.0, 120.0)})
    """Voice: seconds without any speech before a turn counts as silence."""
    warnings: int = field(default=2, metadata={"range": (1, 5)})
    """Spoken warnings ("are you still there?") after the first re-prompt, before a reset."""
    turns_after_wait: int = field(default=2, metadata={"range": (1, 10)})
    """Silent turns granted without a word each time the person says "wait"."""
    text_idle: float | None = field(default=60.0, metadata={"range": (1.0, 3600.0)})
    """Interactive text mode: seconds without a typed line that count as silence
    (nothing: never)."""
    jsonl_idle: float | None = field(default=None, metadata={"range": (1.0, 3600.0)})
    """JSON-lines mode: the same, off unless set (a harness may think for a long time)."""


@dataclass(frozen=True)
class AlertConfig:
    command: tuple[str, ...] | None = None
    """Run on emergency triage, as a list of arguments (no shell); the alert arrives
    on its standard input as one JSON object. Nothing: no command."""
    file: Path | None = None
    """Append the alert as one JSON line to this file. Nothing: no file."""
    timeout: float = field(default=10.0, metadata={"range": (0.1, 300.0)})
    """Seconds the command may run before it is stopped (and the failure logged)."""


@dataclass(frozen=True)
class NetworkConfig:
    mqtt: str | None = None
    """The clinic's MQTT broker: mqtt://host:port, or mqtts://host:port for TLS (port
    default 1883 / 8883). Nothing: no network; alerts and summaries stay local."""
    ca_file: Path | None = None
    """mqtts: the CA certificate that signed the broker's (nothing: the system's CAs)."""
    username: str | None = None
    """This kiosk's user name at the broker (nothing: none)."""
    password_file: Path | None = None
    """A file (readable only by the kiosk user) holding this kiosk's broker password."""
    keepalive: int = field(default=10, metadata={"range": (2, 300)})
    """Seconds; the broker declares a kiosk that fell silent offline after 1.5 times this."""
    heartbeat: float = field(default=5.0, metadata={"range": (1.0, 300.0)})
    """Seconds between the kiosk's "still online" messages to the desk."""
    outbox_dir: Path = Path("outbox")
    """Where alerts, results and records wait while the broker or server is away."""
    outbox_limit: int = field(default=1000, metadata={"range": (10, 1000000)})
    """At most this many waiting messages; then the oldest non-alert is dropped (logged)."""


@dataclass(frozen=True)
class RecordsConfig:
    fhir_url: str | None = None
    """A FHIR R4 server's base URL: each summary's Bundle is POSTed there as a
    transaction, retried until it is accepted. Nothing: the FHIR files are enough."""
    fhir_token_file: Path | None = None
    """A file holding a bearer token for the FHIR server (nothing: no token)."""
    retry_every: float = field(default=5.0, metadata={"range": (0.1, 3600.0)})
    """Seconds between tries while the broker or the FHIR server does not answer."""


@dataclass(frozen=True)
class Settings:
    kiosk_id: str = "kiosk"
    """Which kiosk this is, in staff alerts (for example "ward-3-entrance")."""
    language: str = "en"
    """Which kiosk/language/packs/<language>.yaml pack the kiosk speaks and understands."""
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    """Folder holding the language packs."""
    knowledge_file: Path = DEFAULT_KNOWLEDGE
    """The causes, questions, weights and red-flag rules."""
    report_dir: Path = Path("reports")
    """Where clinician summaries (text and JSON) are written."""
    retention_days: int | None = field(default=30, metadata={"range": (1, 3650)})
    """Clinician summaries older than this are deleted (nothing: kept for ever)."""
    emergency_number: str | None = None
    """Overrides the pack's emergency number (for a clinic in another country)."""
    confirm_below: float = field(default=0.9, metadata={"range": (0.0, 1.0)})
    """Answers to red-flag questions heard with less confidence than this are confirmed."""
    voice: VoiceConfig = VoiceConfig()
    """Speech in and out."""
    audio: AudioConfig = AudioConfig()
    """Sound outputs, private listening, earcons and barge-in."""
    timeouts: Timeouts = Timeouts()
    """How long an unattended session waits."""
    alert: AlertConfig = AlertConfig()
    """How staff are told about an emergency."""
    network: NetworkConfig = NetworkConfig()
    """The clinic's MQTT broker: alerts and results to the staff desk."""
    records: RecordsConfig = RecordsConfig()
    """Where FHIR records of each summary go beyond the report folder."""

    @property
    def speech(self) -> SpeechSettings:
        """How the kiosk speaks, from the `voice` and `audio` sections: built only here."""
        voice, audio = self.voice, self.audio
        return SpeechSettings(
            voice=voice.name or self.language,
            words_per_minute=voice.words_per_minute,
            volume=voice.volume,
            output_device=device(audio.output),
            private_output=device(audio.private_output),
            private=audio.private,
            earcons=audio.earcons,
        )
