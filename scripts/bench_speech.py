#!/usr/bin/env python3
"""Speech-out benchmark: how soon a key or a spoken "stop" silences the kiosk, how soon
a line is heard after `say`, how often its own echo would interrupt it, and memory.

Runs the real speaker (espeak-ng in memory, sounddevice) and the voice front end's own
line loop on a private PulseAudio server (tests/support/sound_server.py), and measures the sound
on the sinks themselves, recorded with parec in 10 ms chunks stamped as they arrive
(so each time includes up to ~20 ms of recording latency; it is never smaller than the
truth). Sinks: `kiosk` (the loudspeaker), `voice` (a person), `patient` (the
microphone: the person's voice plus the kiosk's own speech looped back, 60 ms late).
How late the rig's loopback hands the person's voice to the microphone is measured
with the kiosk silent and printed beside the spoken "stop" time, which includes it.

    .venv/bin/python -m scripts.bench_speech [--trials 20] [--busy 2]

`--busy N` keeps N other processes spinning throughout, as a CI machine running the test
suite on every core is: late callbacks and late blocks are what make a kiosk take its own
echo for a person.
"""

from __future__ import annotations

import argparse
import array
import io
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.sound_server import private_pulseaudio

ASOUNDRC = """\
pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.patient_mic { type pulse
  device "patient.monitor"
  hint { show on description "the microphone" } }
"""
RATE = 16000
CHUNK = 160  # 10 ms
LOUD = 300.0
VOICE_OVER_ECHO_DB = 6.0
"""The person's "stop" reaches the microphone this much louder than espeak-ng's usual
level, which is also the level of the kiosk's own echo here (the loop is at unity gain):
a person nearer the microphone than the loudspeaker is."""
TEN_WORDS = "Has one leg suddenly become cold, pale or blue, and painful?"


class Recording:
    """parec of a sink's monitor; (arrival time, RMS) per 10 ms chunk."""

    def __init__(self, env: dict[str, str], sink: str) -> None:
        self.chunks: list[tuple[float, float]] = []
        self._process = subprocess.Popen(
            ["parec", f"--device={sink}.monitor", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--raw", "--latency-msec=10"],
            env=env, stdout=subprocess.PIPE,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        while block := self._process.stdout.read(CHUNK * 2):
            samples = array.array("h", block)
            level = math.sqrt(sum(s * s for s in samples) / len(samples))
            self.chunks.append((time.monotonic(), level))

    def first_sound(self, after: float) -> float | None:
        return next((t for t, rms in list(self.chunks) if t > after and rms > LOUD), None)

    def last_sound(self, after: float, before: float) -> float | None:
        loud = [t for t, rms in list(self.chunks) if after < t < before and rms > LOUD]
        return loud[-1] if loud else None

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=5)
        self._thread.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


def percentile(values: list[float], share: float) -> float:
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, math.ceil(share * len(ranked)) - 1)]


def row(name: str, values: list[float], target: str) -> str:
    ms = [v * 1000 for v in values]
    return (f"{name:<34} {len(ms):>4} {statistics.median(ms):>9.0f} {percentile(ms, 0.95):>8.0f}"
            f" {max(ms):>8.0f}  {target}")  # fmt: skip


def front_end(speaker: Any, barge_in: Any, inbox: Any) -> Any:
    """The voice front end (its line loop is what is measured) around a real dialog."""
    from kiosk.dialog.machine import Dialog
    from kiosk.frontends.voice import VoiceFrontEnd
    from kiosk.language.pack import load_pack
    from kiosk.triage.knowledge import load_knowledge

    knowledge = load_knowledge()
    pack = load_pack("en", knowledge)

    def make(emit: Callable[[Any], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)

    return VoiceFrontEnd(make, None, None, speaker, io.StringIO(), inbox,  # type: ignore[arg-type]
                         barge_in=barge_in)  # fmt: skip


def long_line() -> Any:
    from kiosk.core.events import Say

    return Say("I will ask some short questions about your legs. " * 4)


def say_to_sound(speaker: Any, room: Recording, trials: int) -> list[float]:
    times = []
    for _ in range(trials):
        began = time.monotonic()
        speaker.start(TEN_WORDS)
        speaker.wait(10)
        heard = room.first_sound(began)
        if heard is not None:
            times.append(heard - began)
        time.sleep(0.3)
    return times


def key_to_silence(front: Any, inbox: Any, room: Recording, trials: int) -> list[float]:
    times = []
    for _ in range(trials):
        pressed: list[float] = []
        threading.Thread(target=_press_later, args=(inbox, pressed), daemon=True).start()
        front._speak(long_line())
        while inbox.take(None) is not None:
            pass
        time.sleep(0.5)
        last = room.last_sound(pressed[0] - 0.5, pressed[0] + 0.45)
        if last is not None:
            times.append(max(0.0, last - pressed[0]))
    return times


def _press_later(inbox: Any, pressed: list[float]) -> None:
    """A key a second into the line (noting when)."""
    from kiosk.core.events import Utterance

    time.sleep(1.0)
    pressed.append(time.monotonic())
    inbox.put(Utterance("2"))


def voice_to_silence(
    front: Any, room: Recording, voice: Recording, env: dict[str, str], stop_wav: Path, n: int
) -> tuple[list[float], int]:
    times, missed = [], 0
    for _ in range(n):
        played = time.monotonic()
        timer = threading.Timer(1.5, subprocess.run, (
            ["paplay", "--device=voice", str(stop_wav)],), {"env": env})  # fmt: skip
        timer.start()
        front._speak(long_line())
        timer.join()
        front.voice_interrupted = False
        time.sleep(0.5)
        onset = voice.first_sound(played)
        last = room.last_sound(played, time.monotonic())
        if onset is None or last is None or last < onset or not front.barge_in.heard():
            missed += 1
            continue
        times.append(last - onset)
    return times, missed


def rig_delay(
    mic: Recording, voice: Recording, env: dict[str, str], stop_wav: Path, n: int
) -> list[float]:
    """How late the test rig itself hands a person's voice to the microphone (the
    loopback from the `voice` sink into `patient`), measured with the kiosk silent. A
    kiosk's microphone hears a person within a few milliseconds; this part of the spoken
    "stop" time is the rig's, not the kiosk's."""
    delays = []
    for _ in range(n):
        began = time.monotonic()
        subprocess.run(["paplay", "--device=voice", str(stop_wav)], env=env, check=True)
        time.sleep(0.3)
        said, heard = voice.first_sound(began), mic.first_sound(began)
        if said is not None and heard is not None:
            delays.append(heard - said)
    return delays


def session_lines() -> list[Any]:
    """What the kiosk says in a typed session: no to every question, then done."""
    from kiosk.core.events import Ask, Output, Say, Start, Utterance
    from kiosk.dialog.machine import Dialog
    from kiosk.language.pack import load_pack
    from kiosk.triage.knowledge import load_knowledge

    knowledge = load_knowledge()
    pack = load_pack("en", knowledge)
    said: list[Output] = []
    dialog = Dialog(knowledge, pack, said.append, lambda summary: True)
    dialog.handle(Start())
    for _ in range(60):
        if dialog.asking is None:
            break
        kind = knowledge.questions[dialog.asking].kind.value
        dialog.handle(Utterance("no" if kind == "yesno" else "I don't know"))
    dialog.handle(Utterance("done"))
    return [o if isinstance(o, Say) else Say(o.text) for o in said if isinstance(o, Say | Ask)]


def false_barge_ins(front: Any, lines: list[Any]) -> tuple[int, float]:
    """Barge-ins while the kiosk says every line of a session into its own microphone."""
    count, spoken = 0, 0.0
    for line in lines:
        began = time.monotonic()
        front._speak(line)
        spoken += time.monotonic() - began
        if front.voice_interrupted:
            count += 1
            front.voice_interrupted = False
    return count, spoken


def louder(samples: bytes, db: float) -> bytes:
    gain = 10 ** (db / 20)
    values = array.array("h", samples)
    return array.array("h", (max(-32768, min(32767, int(v * gain))) for v in values)).tobytes()


def stop_clip(folder: Path) -> Path:
    from tests.support.speech import speak

    path = folder / "stop.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(louder(speak("stop", "en-us"), VOICE_OVER_ECHO_DB))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning meanwhile")
    args = parser.parse_args()
    spinning = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    print(f"other processes spinning meanwhile: {args.busy}")
    try:
        return bench(args.trials)
    finally:
        for process in spinning:
            process.kill()


def bench(trials: int) -> int:
    with (
        tempfile.TemporaryDirectory() as scratch,
        private_pulseaudio(ASOUNDRC, ("kiosk", "patient", "voice")) as (env, _),
    ):
        for source in ("kiosk", "voice"):
            subprocess.run(["pactl", "load-module", "module-loopback", f"source={source}.monitor",
                            "sink=patient", "latency_msec=60"], env=env, check=True,
                           capture_output=True)  # fmt: skip
        os.environ.update(env | {"PULSE_SINK": "kiosk"})  # before PortAudio starts
        return measure(env, Path(scratch), trials)


def measure(env: dict[str, str], scratch: Path, trials: int) -> int:
    from kiosk.config.speech import SpeechSettings
    from kiosk.frontends.inbox import Inbox
    from kiosk.hearing.audio import Microphone
    from kiosk.speaking.barge_in import BargeIn, PrimedSource
    from kiosk.speaking.speaker import open_speaker

    room, voice, mic = Recording(env, "kiosk"), Recording(env, "voice"), Recording(env, "patient")
    speaker = open_speaker(SpeechSettings("en-us"))
    speaker.say("warming up")
    inbox = Inbox()
    keyed = front_end(speaker, None, inbox)
    microphone = Microphone("patient_mic")
    microphone.check()
    barge_in = BargeIn(PrimedSource(microphone), speaker.played, sound=speaker.played_sound)
    voiced = front_end(speaker, barge_in, Inbox())
    try:
        stop_wav = stop_clip(scratch)
        rig = rig_delay(mic, voice, env, stop_wav, max(5, trials // 2))
        first = say_to_sound(speaker, room, trials)
        keys = key_to_silence(keyed, inbox, room, trials)
        lines = session_lines()
        false, spoken = false_barge_ins(voiced, lines)
        stops, missed = voice_to_silence(voiced, room, voice, env, stop_wav, trials)
    finally:
        speaker.close()
        microphone.close()
        room.close()
        voice.close()
        mic.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'measure (ms)':<34} {'n':>4} {'median':>9} {'p95':>8} {'max':>8}  target")
    print(row("say -> first sound (10 words)", first, "<= 200"))
    print(row("key -> silence", keys, "median <= 150, p95 <= 300"))
    if stops:
        print(row('spoken "stop" onset -> silence', stops, "median <= 150, p95 <= 300"))
    if stops and rig:
        print(row("  the rig: voice sink -> microphone", rig, "(not the kiosk's)"))
        net = [t - statistics.median(rig) for t in stops]
        print(row("  ... less the rig's median", net, "median <= 150, p95 <= 300"))
    print(f'spoken "stop" not heard as a barge-in: {missed} of {trials}')
    print(f"false barge-ins over a session's {len(lines)} lines ({spoken:.0f} s of speech "
          f"looped into the microphone): {false}   target 0")  # fmt: skip
    print(f"peak memory (resident): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
