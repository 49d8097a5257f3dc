#!/usr/bin/env python3
"""Soak benchmark: a day at the clinic in one process, checked for leaks.

Runs scripted people through the real dialog: 1,000 sessions one after another in the
interactive front end (one dialog for all of them, as a kiosk runs all day), a few
hundred JSON-lines sessions (a new dialog each), and a few hundred through the voice
front end with a fake listener, a fake speech engine behind the real speaker thread
and a real key-reader thread. Answers vary: emergencies, go back, repeat, help,
slower, garbage, stop. Summaries go to a temporary folder through the real writer.

Prints sessions per second and resident memory, threads and open file descriptors at
the start and the end; exits 1 if memory grew by 10 MB or more or a thread or file
descriptor leaked.

    .venv/bin/python -m scripts.bench_soak [--sessions 1000] [--jsonl 200] [--voice 300]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config.speech import SpeechSettings
from kiosk.core.events import Ask, End, Output, Result, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.dialog.table import CHANGE_QUESTION, READBACK_QUESTION
from kiosk.frontends.console import run_interactive, run_jsonl
from kiosk.frontends.inbox import Inbox, read_keys
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.language.pack import Pack, load_pack
from kiosk.records.report import ReportWriter
from kiosk.speaking.fakes import FakeSynth, MemoryOutput
from kiosk.speaking.speaker import StreamingSpeaker
from kiosk.triage.knowledge import Kind, Knowledge, load_knowledge

MB = 1024 * 1024
ASIDES = ["repeat", "go back", "help", "slower", "louder", "what?", "\x07\x1b[2J", "x" * 500]


class Person:
    """Answers whatever is asked, differently each session, until `sessions` have ended."""

    def __init__(self, knowledge: Knowledge, pack: Pack, seed: int) -> None:
        self.knowledge = knowledge
        self.pack = pack
        self.rng = random.Random(seed)
        self.asking: str | None = None
        self.at_results = False
        self.ended = 0
        self.emergencies = 0
        self.threads_seen = 0
        """The most threads alive while this person's sessions ran."""
        self.steps = 0
        self.emergency_at = self.stop_at = -1

    def see(self, output: Output) -> None:
        if isinstance(output, Ask):
            self.asking, self.at_results = output.question, False
        elif isinstance(output, Result):
            self.asking, self.at_results = None, True
            self.emergencies += output.triage == "emergency"
            self.threads_seen = max(self.threads_seen, threading.active_count())
        elif isinstance(output, End):
            self.asking, self.at_results, self.steps = None, False, 0
            self.ended += 1

    def line(self) -> str:
        """What this person types or says next."""
        self.steps += 1
        if self.at_results:
            return "repeat" if self.rng.random() < 0.2 else "done"
        if self.asking is None:
            self._new_session()
            return ""
        if self.steps == self.stop_at or self.steps > 80:
            return "stop"
        if self.rng.random() < 0.1:
            return self.rng.choice(ASIDES)
        return self._answer(self.asking)

    def begin(self) -> None:
        """A session that starts without an Enter (JSON lines starts at once)."""
        self.asking, self.at_results, self.steps = None, False, 0
        self._new_session()

    def _new_session(self) -> None:
        roll = self.rng.random()
        self.emergency_at = self.rng.randint(2, 9) if roll < 0.2 else -1
        self.stop_at = self.rng.randint(3, 20) if 0.2 <= roll < 0.3 else -1

    def _answer(self, question_id: str) -> str:
        if question_id == "confirm":
            return "yes"
        if question_id == READBACK_QUESTION:  # mostly right; sometimes a change
            return self.rng.choice(["yes", "yes", "yes", "1", "no"])
        if question_id == CHANGE_QUESTION:
            return self.rng.choice(["1", "two", "I don't know", "go back"])
        question = self.knowledge.questions[question_id]
        if question.kind is Kind.NUMBER:
            return str(self.rng.randint(18, 95))
        if question.kind is Kind.CHOICE:
            option = self.rng.choice([*question.options, "dont_know"])
            if option == "dont_know":
                return "I don't know"
            return self.pack.questions[question_id].phrases[option][0]
        if question.red_flag:
            if self.steps >= self.emergency_at > 0:
                return "yes"
            return self.rng.choice(["no", "no", "nope", "2", "2", "2", "2", "2", "I don't know"])
        return self.rng.choice(["no", "no", "nope", "yes", "I don't know", "2", "3"])


class Typist(io.TextIOBase):
    """Standard input typed by the person; None (end of input) after `sessions`."""

    def __init__(self, person: Person, sessions: int) -> None:
        self.person = person
        self.sessions = sessions

    def readline(self, size: int | None = -1) -> str:
        if self.person.ended >= self.sessions:
            return ""
        return self.person.line() + "\n"


class Screen(io.TextIOBase):
    """Standard output that is thrown away (kept text would look like a leak)."""

    def write(self, text: str) -> int:
        return len(text)


class Listener:
    """Speaks for the person; now and then presses a key instead, through the inbox."""

    def __init__(self, person: Person, inbox: Inbox) -> None:
        self.person = person
        self.inbox = inbox

    def listen(self, source: Any, expecting: Any, interrupted: Callable[[], bool]) -> Any:
        next(iter(source.open_turn()))
        line = self.person.line()
        if line in ("2", "3") or self.person.rng.random() < 0.1:
            self.inbox.put(Utterance(line or "start"))
            return None
        return Utterance(line or "start")


def instant_speaker() -> StreamingSpeaker:
    """The real speaker (its thread, queue and watchdog) on devices that take no time."""
    synth = FakeSynth(seconds_per_character=0.0)
    settings = SpeechSettings(earcons=False)  # tones would play in real time
    return StreamingSpeaker(settings, synth, lambda device, rate: MemoryOutput())


def factory(knowledge: Knowledge, pack: Pack, writer: ReportWriter, person: Person) -> Any:
    def make(emit: Callable[[Output], None]) -> Dialog:
        def both(output: Output) -> None:
            emit(output)
            person.see(output)

        return Dialog(knowledge, pack, both, writer.save)

    return make


def run_text(make: Any, person: Person, sessions: int) -> None:
    run_interactive(make, Typist(person, sessions), Screen(), clear_screen=True)


def run_jsonl_sessions(make: Any, person: Person, sessions: int) -> None:
    for _ in range(sessions):
        person.begin()
        run_jsonl(make, Typist(person, person.ended + 1), Screen())


def run_voice(make: Any, person: Person, sessions: int) -> None:
    inbox = Inbox()
    read_end, write_end = os.pipe()
    keys = os.fdopen(read_end, encoding="utf-8")
    reader = read_keys(keys, inbox)
    speaker = instant_speaker()
    front = VoiceFrontEnd(make, Listener(person, inbox), ClipSource([]), speaker, Screen(), inbox)
    front.run(sessions=sessions, start_at_once=True)
    speaker.close()
    os.close(write_end)
    reader.join(timeout=5)
    keys.close()


def status() -> tuple[float, int, int]:
    """Resident memory (MB), threads and open file descriptors of this process now."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    rss = int(fields["VmRSS"].split()[0]) * 1024 / MB
    return rss, int(fields["Threads"]), len(os.listdir("/proc/self/fd"))


def settle(threads: int) -> None:
    """Give finished threads a moment to go, and collect garbage."""
    deadline = time.monotonic() + 5
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.02)
    gc.collect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=1000, help="interactive sessions")
    parser.add_argument("--jsonl", type=int, default=200, help="JSON-lines sessions")
    parser.add_argument("--voice", type=int, default=300, help="voice sessions")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    knowledge, pack = load_knowledge(), load_pack("en", load_knowledge())
    python_threads = threading.active_count()
    gc.collect()
    start = status()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as folder:
        writer = ReportWriter(Path(folder))
        for name, run, count in [
            ("interactive", run_text, args.sessions),
            ("json lines", run_jsonl_sessions, args.jsonl),
            ("voice", run_voice, args.voice),
        ]:
            person = Person(knowledge, pack, args.seed)
            began = time.perf_counter()
            run(factory(knowledge, pack, writer, person), person, count)
            seconds = time.perf_counter() - began
            assert person.ended == count, f"{name}: {person.ended} of {count} sessions ended"
            rows.append((name, count, seconds, person.emergencies, person.threads_seen))
        summaries = len(list(Path(folder).glob("*.json")))
        writer.close()
    settle(python_threads)
    end = status()
    print(
        f"{'front end':<12} {'sessions':>8} {'seconds':>8} {'sessions/s':>10} "
        f"{'emergencies':>11} {'threads in use':>14}"
    )
    for name, count, seconds, emergencies, threads in rows:
        print(
            f"{name:<12} {count:>8} {seconds:>8.1f} {count / seconds:>10.1f} "
            f"{emergencies:>11} {threads:>14}"
        )
    print(f"summaries written: {summaries}\n")
    print(f"{'':<16} {'start':>8} {'end':>8} {'change':>8}")
    for label, before, after in zip(
        ("resident MB", "threads", "open fds"), start, end, strict=True
    ):
        print(f"{label:<16} {before:>8.1f} {after:>8.1f} {after - before:>+8.1f}")
    problems = []
    if end[0] - start[0] >= 10:
        problems.append(f"memory grew by {end[0] - start[0]:.1f} MB")
    if end[1] > start[1]:
        problems.append(f"{end[1] - start[1]} thread(s) leaked")
    if end[2] > start[2]:
        problems.append(f"{end[2] - start[2]} file descriptor(s) leaked")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
