"""Speech out on a real sound server: what a person hears when they interrupt the kiosk.

The kiosk runs as `python -m kiosk` on a private PulseAudio server (tests/support/sound_server.py)
with null sinks: `kiosk` (the room's loudspeaker), `headphones`, and `patient` (what the
kiosk's microphone hears). Each sink is recorded from its monitor, so the tests measure
the sound itself: when it stops, which sink it is on, whether a line played in full.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.language.pack import Pack
from kiosk.speaking.espeak import Espeak
from kiosk.triage.knowledge import Knowledge
from tests.conftest import ROOT
from tests.support.sound_server import private_pulseaudio
from tests.support.speech import speak
from tests.test_audio_device import (
    ASOUNDRC,
    LOUD,
    Lines,
    SinkRecorder,
    require_pulseaudio,
    rms_windows,
    write_wav,
)

pytestmark = pytest.mark.voice

HEADPHONES = """\
pcm.headphones {
  type pulse
  device "headphones"
  hint { show on description "the headphones sink" }
}
"""
SINKS = ("patient", "kiosk", "headphones")
WINDOW = 0.02
"""Seconds per loudness window when sound is measured."""


@pytest.fixture
def pulse() -> Iterator[tuple[dict[str, str], Path]]:
    require_pulseaudio()
    with private_pulseaudio(ASOUNDRC + HEADPHONES, SINKS) as (env, folder):
        yield env, folder


def seconds_of(text: str, voice: str = "en", words_per_minute: int = 150) -> float:
    """How long the kiosk takes to say `text` (its own synthesiser, in memory)."""
    espeak = Espeak(voice)
    made = bytearray()
    espeak.synthesize(text, words_per_minute, lambda chunk: bool(made.extend(chunk)) or True)
    return len(made) / 2 / espeak.sample_rate


def sounding(sink: SinkRecorder, since: float, until: float | None = None) -> float:
    """Seconds of clear sound on a sink from `since` (seconds into its recording)."""
    with sink._lock:
        audio = bytes(sink.audio)
    end = None if until is None else int(until / WINDOW)
    windows = rms_windows(audio, WINDOW)[int(since / WINDOW) : end]
    return sum(rms > LOUD for rms in windows) * WINDOW


@dataclass
class Kiosk:
    process: subprocess.Popen[str]
    captions: Lines
    log: Lines
    sinks: dict[str, SinkRecorder]

    def type(self, line: str) -> float:
        """Type a line; returns the room sink's recording position at that moment."""
        at = self.sinks["kiosk"].seconds
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return at

    def wait_for(self, caption: str, timeout: float = 60) -> None:
        assert self.captions.wait_for(caption, timeout), f"no {caption!r}:\n{self}"

    def quiet(self, since: float = 0.0, sink: str = "kiosk") -> None:
        """Wait until the sink has sounded and then fallen silent (the kiosk listens)."""
        self.sinks[sink].wait_until_quiet(since)

    def __str__(self) -> str:
        return f"captions:\n{self.captions}\nlog:\n{self.log}"


@contextmanager
def kiosk_on(
    pulse: tuple[dict[str, str], Path], *options: str, env: dict[str, str] | None = None
) -> Iterator[Kiosk]:
    """The kiosk in English voice mode, one session, every sink recorded."""
    server, folder = pulse
    command = [sys.executable, "-m", "kiosk", "--lang", "en", "--voice", "en-us",
               "--input-device", "patient_mic", "--sessions", "1", "-v",
               "--report-dir", str(folder / "reports"), *options]  # fmt: skip
    recorders = {sink: _record(server, sink) for sink in ("kiosk", "headphones")}
    kiosk_env = server | {"PULSE_SINK": "kiosk", "PYTHONUNBUFFERED": "1"} | (env or {})
    process = subprocess.Popen(
        command, env=kiosk_env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    sinks = {name: SinkRecorder(r.stdout) for name, r in recorders.items() if r.stdout}
    kiosk = Kiosk(process, Lines(process.stdout), Lines(process.stderr), sinks)
    try:
        assert kiosk.log.wait_for("kiosk: voice mode with ", timeout=60), str(kiosk)
        yield kiosk
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for recorder in recorders.values():
            recorder.terminate()
            recorder.wait(timeout=10)
        for sink in sinks.values():
            sink.join()
        kiosk.captions.join()
        kiosk.log.join()
        for stream in (process.stdin, process.stdout, process.stderr,
                       *(r.stdout for r in recorders.values())):  # fmt: skip
            if stream is not None:
                stream.close()
    assert "Traceback" not in str(kiosk.log), str(kiosk)


def _record(server: dict[str, str], sink: str) -> subprocess.Popen[bytes]:
    command = ["parec", f"--device={sink}.monitor", "--format=s16le", "--rate=16000",
               "--channels=1", "--raw", "--latency-msec=20"]  # fmt: skip
    return subprocess.Popen(command, env=server, stdout=subprocess.PIPE)


def ended(kiosk: Kiosk, timeout: float = 60) -> int:
    try:
        return kiosk.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the kiosk did not finish its session:\n{kiosk}") from exc


@pytest.mark.parametrize("by", ["key", "voice"])
def test_a_key_and_a_spoken_stop_each_silence_a_long_line(
    pulse: tuple[dict[str, str], Path], pack: Pack, by: str
) -> None:
    env, folder = pulse
    stop = write_wav(folder / "stop.wav", speak("stop", "en-us"))
    welcome, stopped = pack.say("welcome"), pack.say("stopped")
    with kiosk_on(pulse) as kiosk:
        kiosk.wait_for(pack.say("idle"))
        kiosk.quiet()
        began = kiosk.type("")  # Enter: the welcome, a long line, begins
        kiosk.wait_for(welcome)
        while sounding(kiosk.sinks["kiosk"], began) < 1.0:
            time.sleep(0.02)
        if by == "key":
            pressed = kiosk.type("stop")
        else:
            pressed = kiosk.sinks["kiosk"].seconds + 0.2  # the clip's lead-in
            subprocess.run(["paplay", "--device=patient", str(stop)], env=env, check=True,
                           timeout=10)  # fmt: skip
        assert ended(kiosk) == 0
        kiosk.wait_for(stopped)
    heard_before = sounding(kiosk.sinks["kiosk"], began, pressed)
    left = seconds_of(welcome) - heard_before
    after = sounding(kiosk.sinks["kiosk"], pressed)
    allowed = seconds_of(stopped) + (1.0 if by == "voice" else 0.4)
    assert left > 5, f"the welcome had {left:.1f} s still to say"
    assert after <= allowed, (
        f"{after:.2f} s of sound after the {by} (the reply alone takes up to {allowed:.2f} s): "
        f"the welcome was not silenced\n{kiosk}"
    )


SHORT_SESSION = ("2", "2", "2", "1")
"""Keys for the first questions: no to three red flags, yes to the fourth (an
emergency), so a whole session, results included, takes about two and a half minutes
at 150 words a minute (most of it the guidance and the results)."""


def answer_by_keys(
    kiosk: Kiosk, pack: Pack, knowledge: Knowledge, caption: str, sink: str = "kiosk"
) -> None:
    """Answer each question with the next of SHORT_SESSION's keys once the kiosk has
    said it in full, until `caption` is shown (a limit, not a measure: the emergency
    guidance and the results alone take about 70 s at 150 words a minute)."""
    asked = {pack.questions[q].ask for q in knowledge.questions}
    keys = list(SHORT_SESSION)
    seen = 0
    deadline = time.monotonic() + 240
    while not kiosk.captions.has(caption) and time.monotonic() < deadline:
        kiosk.captions.wait_for_new(seen, timeout=1)
        lines = kiosk.captions.lines[seen:]
        seen += len(lines)
        for line in lines:
            if line.strip() in asked and keys:
                kiosk.quiet(kiosk.sinks[sink].seconds - 0.5, sink)
                kiosk.type(keys.pop(0))
    kiosk.wait_for(caption, timeout=1)


def files_under(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*") if path.is_file()}


def sounds_in_tmp() -> set[Path]:
    """Sound files in /tmp and the folders directly in it (other programs use it too)."""
    return {p for pattern in ("*.wav", "*/*.wav", "kiosk*") for p in Path("/tmp").glob(pattern)}


def open_files(pid: int) -> set[str]:
    """The files a process has open now (not sockets, pipes or devices)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("/") and not target.startswith(("/dev/", "/proc/")):
            found.add(target)
    return found


TEST_TOOL_CACHES = (".hypothesis/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/")
"""Written by the test tools of other workers running beside a test, not by the kiosk."""


@pytest.mark.long
def test_a_whole_spoken_session_looped_into_the_microphone_never_interrupts_itself_or_touches_the_disk(
    pulse: tuple[dict[str, str], Path], pack: Pack, knowledge: Knowledge, tmp_path: Path
) -> None:
    """The kiosk's own speech is played back into its microphone (the room sink's
    monitor looped into the patient sink) for a whole session answered by keys: no
    line is cut short by its own echo. Meanwhile no file is written in /tmp, /dev/shm,
    the working directory or TMPDIR, and the kiosk never holds one open there."""
    env, _ = pulse
    subprocess.run(["pactl", "load-module", "module-loopback", "source=kiosk.monitor",
                    "sink=patient", "latency_msec=60"], env=env, check=True,
                   capture_output=True, timeout=10)  # fmt: skip
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    watched = [scratch, ROOT, Path("/dev/shm"), Path("/tmp")]
    before = files_under(scratch, Path("/dev/shm")) | sounds_in_tmp()
    tracked = set(subprocess.run(["git", "ls-files", "--others"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.split())  # fmt: skip
    held: set[str] = set()
    goodbye = pack.say("goodbye")
    with kiosk_on(pulse, env={"TMPDIR": str(scratch)}) as kiosk:
        kiosk.wait_for(pack.say("idle"))
        kiosk.quiet()
        kiosk.type("")
        answer_by_keys(kiosk, pack, knowledge, pack.say("results_options"))
        kiosk.quiet(kiosk.sinks["kiosk"].seconds - 0.5)
        held |= open_files(kiosk.process.pid)
        kiosk.type("done")
        kiosk.wait_for(goodbye)
        assert ended(kiosk) == 0
    barge_ins = [line for line in kiosk.log.lines if "barge-in by voice" in line]
    assert barge_ins == [], f"the kiosk interrupted itself:\n{kiosk}"
    spoken = sounding(kiosk.sinks["kiosk"], 0)
    assert spoken > 40, f"only {spoken:.0f} s were spoken"
    new = (files_under(scratch, Path("/dev/shm")) | sounds_in_tmp()) - before
    ours = [p for p in new if p.is_relative_to(scratch) or p.suffix == ".wav" or "speech" in p.name]
    assert not ours, f"written during the session: {ours}"
    untracked = set(subprocess.run(["git", "ls-files", "--others"], cwd=ROOT, capture_output=True,
                                   text=True, check=True).stdout.split())  # fmt: skip
    new_here = {f for f in untracked - tracked if not f.startswith(TEST_TOOL_CACHES)}
    assert not new_here, f"new files in the working directory: {new_here}"
    assert not [f for f in held if f.startswith(tuple(map(str, watched)))], held


@pytest.mark.long
def test_private_mode_plays_only_on_the_headphones(
    pulse: tuple[dict[str, str], Path], pack: Pack, knowledge: Knowledge
) -> None:
    """With headphones configured, the H key moves the kiosk's voice to them: the
    questions and the results are heard there, and the room's sink stays silent. (At a
    brisk rate: which sink a line plays on does not depend on it, and the whole session
    takes half as long.)"""
    _, folder = pulse
    config = folder / "config.yaml"
    config.write_text("audio:\n  private_output: headphones\nvoice:\n  words_per_minute: 280\n")
    with kiosk_on(pulse, "--config", str(config)) as kiosk:
        kiosk.wait_for(pack.say("idle"))
        kiosk.quiet()
        switched = kiosk.type("h")
        kiosk.wait_for(pack.say("headphones_on"))
        kiosk.type("")
        answer_by_keys(kiosk, pack, knowledge, pack.say("results_options"), "headphones")
        results_from = kiosk.sinks["headphones"].seconds
        time.sleep(2)
        kiosk.type("done")
        kiosk.wait_for(pack.say("goodbye"))
        assert ended(kiosk) == 0
    room = sounding(kiosk.sinks["kiosk"], switched + 0.3)
    phones = sounding(kiosk.sinks["headphones"], 0)
    assert room == 0, f"{room:.2f} s were heard in the room after the switch\n{kiosk}"
    assert phones > 40, f"only {phones:.1f} s on the headphones"
    assert sounding(kiosk.sinks["headphones"], results_from - 15, results_from) > 5, "results"


@pytest.mark.long
def test_the_emergency_guidance_is_heard_in_full_even_when_a_key_is_pressed_at_once(
    pulse: tuple[dict[str, str], Path], pack: Pack
) -> None:
    emergency = pack.say("emergency", number=pack.emergency_number)
    waiting = pack.say("emergency_while_waiting")
    with kiosk_on(pulse) as kiosk:
        kiosk.wait_for(pack.say("idle"))
        kiosk.quiet()
        kiosk.type("")
        kiosk.type("1")  # yes to the first red flag, at once: an emergency
        kiosk.wait_for(emergency)
        pressed = kiosk.type("stop")  # and a key the moment the guidance begins
        kiosk.wait_for(pack.say("goodbye"))
        assert ended(kiosk) == 0
    heard = sounding(kiosk.sinks["kiosk"], pressed)
    guidance = seconds_of(emergency) + seconds_of(waiting)
    assert heard >= 0.8 * guidance, (
        f"{heard:.1f} s heard after the key; the guidance takes {guidance:.1f} s\n{kiosk}"
    )


@pytest.mark.long
def test_sigterm_mid_line_silences_the_kiosk_and_keeps_an_incomplete_summary(
    pulse: tuple[dict[str, str], Path], pack: Pack, knowledge: Knowledge
) -> None:
    import json

    _, folder = pulse
    with kiosk_on(pulse) as kiosk:
        kiosk.wait_for(pack.say("idle"))
        kiosk.quiet()
        kiosk.type("")
        first, second = (pack.questions[q].ask for q in knowledge.red_flag_questions[:2])
        kiosk.wait_for(first)
        kiosk.type("2")
        kiosk.wait_for(second)
        while sounding(kiosk.sinks["kiosk"], kiosk.sinks["kiosk"].seconds - 0.3) < 0.1:
            time.sleep(0.02)  # the second question is being spoken
        stopped_at = kiosk.sinks["kiosk"].seconds
        sent = time.monotonic()
        kiosk.process.send_signal(signal.SIGTERM)
        assert kiosk.process.wait(timeout=10) == 0
        assert time.monotonic() - sent < 2.0, "systemd allows it 2 s (TimeoutStopSec fits)"
        time.sleep(0.5)
    after = sounding(kiosk.sinks["kiosk"], stopped_at + 0.2)
    assert after == 0, f"{after:.2f} s of sound after SIGTERM"
    summaries = [json.loads(p.read_text()) for p in (folder / "reports").glob("*.json")]
    assert len(summaries) == 1 and summaries[0]["complete"] is False, summaries
    assert len(summaries[0]["answers"]) == 1
