"""Speech out with fake devices: lines stop at once, a key or a voice cuts the kiosk
short (never before the emergency guidance is heard), earcons, private listening and
volume steps. The speaker and front end are real; the synthesiser and outputs are fakes
that play by the clock (tests/test_speech_device.py does the same on a sound server)."""

from __future__ import annotations

import io
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.config.speech import SpeechSettings
from kiosk.core.events import Heard, Output, Say, Start, Utterance
from kiosk.core.meaning import Command
from kiosk.dialog.machine import Dialog
from kiosk.dialog.voice_levels import VoiceLevels
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.hearing.grammar import Expectation
from kiosk.language.commands import SPECS
from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.speaking.espeak import Chunk
from kiosk.speaking.fakes import FakeSynth, MemoryOutput
from kiosk.speaking.speaker import StreamingSpeaker
from kiosk.triage.knowledge import Knowledge

LONG_LINE = "a long line " * 40
"""480 characters: 4.8 s at the fake's 10 ms a character."""


def speaker_with(
    synth: FakeSynth, room: MemoryOutput, phones: MemoryOutput | None = None, **settings: object
) -> StreamingSpeaker:
    outputs = {None: room, "phones": phones}
    private = "phones" if phones is not None else None

    def open_output(device: int | str | None, rate: int) -> MemoryOutput:
        output = outputs[device]
        assert output is not None
        return output

    voice = SpeechSettings(private_output=private, **settings)  # type: ignore[arg-type]
    return StreamingSpeaker(voice, synth, open_output)


def test_stop_silences_a_line_at_once_and_the_next_line_plays() -> None:
    room = MemoryOutput()
    speaker = speaker_with(FakeSynth(), room)
    speaker.start(LONG_LINE)
    assert not speaker.wait(0.3), "a long line is still playing"
    speaker.stop()
    assert speaker.wait(0.05), "nothing is left to play once stopped"
    cut_at = room.heard_seconds()
    assert cut_at < 1.0, f"{cut_at:.2f} s of a 4.8 s line was heard"
    time.sleep(0.1)
    assert room.heard_seconds() == cut_at, "nothing more sounds after the stop"
    speaker.start("short")
    assert speaker.wait(2.0)
    assert room.heard_seconds() > cut_at, "the next line plays"
    speaker.close()


class _StuckSynth(FakeSynth):
    def __init__(self) -> None:
        super().__init__(seconds_per_character=0.001)
        self.release = threading.Event()

    def synthesize(self, text: str, words_per_minute: int, sink: Chunk) -> None:
        super().synthesize(text, words_per_minute, sink)
        self.release.wait(5)


def test_a_stuck_speech_engine_cannot_freeze_the_kiosk_and_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    synth = _StuckSynth()
    speaker = speaker_with(synth, MemoryOutput(), watchdog_base=0.2, seconds_per_character=0.0)
    speaker.say("Hello")
    speaker.say("Are you there?")
    assert "captions only" in caplog.text
    assert synth.made == ["Hello"], "no new line is queued behind a stuck one"
    synth.release.set()
    time.sleep(0.1)
    speaker.say("Back again")
    assert synth.made == ["Hello", "Back again"], "speech comes back once the engine recovers"
    speaker.close()


def test_volume_steps_cover_20_db_in_at_least_4_steps_and_reset_for_each_person() -> None:
    levels = [VoiceLevels()]
    down, up = SPECS["quieter"].voice, SPECS["louder"].voice
    assert down is not None and up is not None
    while (quieter := levels[0].step(down)) is not None:
        levels.insert(0, quieter)
    while (louder := levels[-1].step(up)) is not None:
        levels.append(louder)
    heard = []
    for level in levels:
        room = MemoryOutput()
        speaker = speaker_with(FakeSynth(level=3000), room)
        speaker.set_voice(level.rate, level.volume)
        speaker.say("loud enough?")
        heard.append(room.loudest)
        speaker.close()
    steps = [20 * math.log10(b / a) for a, b in itertools.pairwise(heard)]
    assert len(steps) >= 4 and all(step > 3 for step in steps), steps
    assert 20 * math.log10(heard[-1] / heard[0]) >= 20 - 0.1, "at least 20 dB from end to end"
    assert levels.index(VoiceLevels()) < len(levels) - 1, "the default is below the loudest"


def test_earcons_are_played_in_memory_and_can_be_turned_off() -> None:
    room = MemoryOutput()
    speaker = speaker_with(FakeSynth(), room)
    speaker.earcon("listening")
    assert speaker.wait(1.0) and room.heard_seconds() > 0.1
    speaker.close()
    quiet = MemoryOutput()
    speaker = speaker_with(FakeSynth(), quiet, earcons=False)
    speaker.earcon("listening")
    assert speaker.wait(1.0) and quiet.heard_seconds() == 0
    speaker.close()


def test_private_listening_plays_only_on_the_headphones() -> None:
    room, phones = MemoryOutput(), MemoryOutput()
    speaker = speaker_with(FakeSynth(seconds_per_character=0.001), room, phones)
    speaker.say("out loud")
    out_loud = room.heard_seconds()
    assert out_loud > 0 and phones.heard_seconds() == 0
    assert speaker.set_private(True)
    speaker.say("only for you, and this is a longer line")
    assert phones.heard_seconds() > 0, "the headphones hear the line"
    assert room.heard_seconds() == out_loud, "the room hears nothing more"
    assert speaker.set_private(False)
    speaker.say("out loud again")
    assert room.heard_seconds() > out_loud
    speaker.close()
    alone = speaker_with(FakeSynth(), MemoryOutput())
    assert not alone.set_private(True), "no headphones: stays on the room's loudspeaker"
    alone.close()


class Keys:
    """Listens by waiting for keys (as the real listeners do when a key arrives), and
    presses `keys` one by one when told to (`press`)."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.turns = 0

    def listen(
        self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        self.turns += 1
        deadline = time.monotonic() + 10
        while not interrupted() and time.monotonic() < deadline:
            time.sleep(0.005)
        return None


def front_end(
    knowledge: Knowledge, pack: Pack, speaker: StreamingSpeaker, inbox: Inbox
) -> tuple[VoiceFrontEnd, list[Output]]:
    outputs: list[Output] = []

    def make(emit: Callable[[Output], None]) -> Dialog:
        def both(output: Output) -> None:
            outputs.append(output)
            emit(output)

        return Dialog(knowledge, pack, both, lambda summary: True)

    front = VoiceFrontEnd(make, Keys(inbox), ClipSource([]), speaker, io.StringIO(), inbox)
    return front, outputs


def press_while_speaking(inbox: Inbox, room: MemoryOutput, key: str, after: float = 0.2) -> None:
    """A person presses `key` once the kiosk has been heard for `after` seconds."""

    def press() -> None:
        deadline = time.monotonic() + 10
        while room.heard_seconds() < after and time.monotonic() < deadline:
            time.sleep(0.005)
        inbox.put(Utterance(key))

    threading.Thread(target=press, daemon=True).start()


def test_a_key_while_the_kiosk_talks_silences_it_and_it_listens_at_once(
    knowledge: Knowledge, pack: Pack
) -> None:
    room = MemoryOutput()
    synth = FakeSynth()
    speaker = speaker_with(synth, room)
    inbox = Inbox()
    front, _outputs = front_end(knowledge, pack, speaker, inbox)
    press_while_speaking(inbox, room, "stop")
    front.run(sessions=1, start_at_once=True)
    welcome = pack.say("welcome")
    assert synth.made[0] == welcome
    full = len(welcome) * synth.seconds_per_character
    heard = room.heard_seconds() - len(pack.say("stopped")) * synth.seconds_per_character
    assert heard < full / 2, f"{heard:.2f} s of a {full:.1f} s welcome was heard"
    assert synth.made[1:] == [pack.say("stopped")], "the rest was cut; the stop was heard"
    speaker.close()


def test_the_first_emergency_guidance_is_heard_in_full_even_when_a_key_is_pressed_at_once(
    knowledge: Knowledge, pack: Pack
) -> None:
    room = MemoryOutput()
    synth = FakeSynth(seconds_per_character=0.002)
    speaker = speaker_with(synth, room)
    inbox = Inbox()
    front, outputs = front_end(knowledge, pack, speaker, inbox)
    emergency = pack.say("emergency", number=pack.emergency_number)
    first = knowledge.red_flag_questions[0]
    inbox.put(Utterance("1"), first)  # yes to the first red flag: an emergency

    def press_on_guidance() -> None:
        deadline = time.monotonic() + 10
        while emergency not in synth.made and time.monotonic() < deadline:
            time.sleep(0.001)
        inbox.put(Utterance("repeat"))
        inbox.put(Utterance("stop"))

    threading.Thread(target=press_on_guidance, daemon=True).start()
    front.run(sessions=1, start_at_once=True)
    said = [o.text for o in outputs if isinstance(o, Say)]
    assert emergency in said
    start = synth.made.index(emergency)
    guidance = [o.text for o in outputs if isinstance(o, Say) and o.kind == "emergency"][:3]
    assert synth.made[start : start + len(guidance)] == guidance, "every line was spoken"
    assert room.heard_seconds() >= sum(len(g) for g in guidance) * 0.002 * 0.95, "and heard"
    speaker.close()


def _levels(seed: int, count: int) -> list[float]:
    """Speech-like levels: words (loud, varying) and short gaps, 20 ms apart."""
    import random

    rng = random.Random(seed)
    return [rng.choice([0.0, 800.0, 2000.0, 3500.0, 5000.0]) for _ in range(count)]


def test_the_kiosks_own_echo_never_counts_as_a_voice_but_a_louder_voice_does() -> None:
    from kiosk.speaking.barge_in import FRAME_SECONDS, EchoGate, EchoPath

    played = [(i * FRAME_SECONDS, level) for i, level in enumerate(_levels(1, 1000))]
    delay = 0.12  # frames: the echo comes back 6 frames late, at the same level
    path, gate = EchoPath(), EchoGate()
    barge_ins = 0
    for i in range(60, len(played)):
        at = played[i][0]
        heard = played[i - 6][1]
        barge_ins += gate.feed(heard, path.echo(at, played[max(0, i - 40) : i + 3]))
        path.note(at, heard)
        if i % 5 == 0:
            path.learn(played[max(0, i - 150) : i + 1])
    assert barge_ins == 0, "20 s of the kiosk's own speech, heard back, never interrupts it"
    assert path.delay == pytest.approx(delay), "the echo's delay was learnt"
    loudest = max(level for _, level in played)
    person = 2.2 * loudest  # 7 dB above the loudest the echo ever is
    voice = [gate.feed(person, path.echo(at, played)) for at, _ in played[400:404]]
    assert voice == [False, False, True, True], "a person clearly louder, for 60 ms, is a voice"
    quiet = EchoGate()
    assert not any(quiet.feed(300.0, 0.0) for _ in range(10)), "a murmur under the floor is not"


def test_the_microphone_opens_after_a_rising_tone_and_closes_with_a_falling_one(
    knowledge: Knowledge, pack: Pack
) -> None:
    from kiosk.speaking.tts import SilentSpeaker

    inbox = Inbox()
    speaker = SilentSpeaker()
    tones: list[tuple[str, int]] = []

    class Listener:
        def listen(
            self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
        ) -> Heard | None:
            tones.append(("listening", len(speaker.earcons)))
            return Utterance("stop")

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)

    front = VoiceFrontEnd(make, Listener(), ClipSource([]), speaker, io.StringIO(), inbox)
    front.run(sessions=1, start_at_once=True)
    assert tones == [("listening", 1)], "the rising tone had played when the turn began"
    assert speaker.earcons == ["listening", "done"]


@pytest.mark.parametrize("headphones", [True, False])
def test_the_headphones_key_switches_output_or_says_there_are_none(
    knowledge: Knowledge, pack: Pack, headphones: bool
) -> None:
    from kiosk.speaking.tts import SilentSpeaker

    inbox = Inbox()
    for key in ("h", "", "stop"):
        inbox.put(Utterance(key))

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)

    captions = io.StringIO()
    switched: list[bool] = []

    class Watching(SilentSpeaker):
        def start(self, text: str) -> None:
            switched.append(self.private)
            super().start(text)

    speaker = Watching(headphones=headphones)
    front = VoiceFrontEnd(make, Keys(inbox), ClipSource([]), speaker, captions, inbox)
    front.run(sessions=1)
    said = pack.say("headphones_on" if headphones else "no_headphones")
    assert said in captions.getvalue()
    assert switched[-1] is headphones, "the session was spoken on the headphones, if any"
    assert speaker.private is False, "the next person starts on the room's loudspeaker"


@pytest.mark.parametrize("how", ["key", "screen button", "spoken"])
def test_headphones_asked_for_mid_question_switch_output_and_answer_nothing(
    knowledge: Knowledge, pack: Pack, how: str
) -> None:
    """By key, by the screen's button (its words) or said (a recognizer's meaning), the
    request moves the voice to the headphones; the open question is not answered by it."""
    from kiosk.speaking.tts import SilentSpeaker

    request = {
        "key": Utterance("h"),
        "screen button": Utterance(pack.commands["headphones"][0]),
        "spoken": Utterance("use the headphones", 0.9, Command("headphones")),
    }[how]
    inbox = Inbox()
    for heard in (Utterance(""), request, Utterance("stop")):
        inbox.put(heard)
    saved: list[Summary] = []

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: saved.append(summary) or True)

    captions = io.StringIO()
    speaker = SilentSpeaker(headphones=True)
    front = VoiceFrontEnd(make, Keys(inbox), ClipSource([]), speaker, captions, inbox)
    asked: list[str | None] = []
    original = front._headphones

    def watch(heard: Heard) -> bool:
        switched = original(heard)
        if switched:
            asked.append(front.dialog.asking)
        return switched

    front._headphones = watch  # type: ignore[method-assign]
    front.run(sessions=1)
    text = captions.getvalue()
    first = knowledge.red_flag_questions[0]
    assert asked == [first], "switched while the first question was open"
    assert pack.say("headphones_on") in text
    for unclear in ("unclear_yesno", "unclear_yesno_typed"):
        assert pack.say(unclear) not in text, "the request was not taken as an answer"
    assert all(not s.answers for s in saved), "nothing was answered by asking for headphones"


def test_headphones_typed_where_there_are_none_says_so_and_asks_again(
    knowledge: Knowledge, pack: Pack
) -> None:
    """Text mode has no headphones: the kiosk says so and the question stays open."""
    out: list[Output] = []
    dialog = Dialog(knowledge, pack, out.append, lambda summary: True)
    dialog.handle(Start())
    question = dialog.asking
    out.clear()
    dialog.handle(Utterance("use the headphones"))
    said = [o.text for o in out if isinstance(o, Say)]
    assert pack.say("no_headphones") in said
    assert dialog.asking == question and not dialog.answers


def test_a_voice_over_the_kiosk_is_noticed_within_a_block_and_heard_whole_in_the_next_turn() -> (
    None
):
    """The microphone gives 20 ms blocks as they come: the barge-in notices a voice a few
    blocks after it begins (not a 0.1 s chunk later), and the listener's next turn starts
    with half a second from before the voice, in ordinary turn-sized chunks."""
    import array

    from kiosk.hearing.audio import BLOCK_SECONDS, CHUNK_BYTES, SAMPLE_RATE
    from kiosk.speaking.barge_in import BargeIn, PrimedSource

    block = int(SAMPLE_RATE * BLOCK_SECONDS)
    quiet, loud = array.array("h", [0] * block), array.array("h", [3000, -3000] * (block // 2))
    blocks_given: list[int] = []

    class BlockMicrophone:
        def open_blocks(self) -> Iterator[bytes]:
            for n in range(10_000):
                blocks_given.append(n)
                yield (quiet if n < 50 else loud).tobytes()  # a voice after 1 s

        def open_turn(self) -> Iterator[bytes]:
            raise AssertionError("barge-in reads the microphone's blocks")

        def reopen(self) -> None: ...

        def close(self) -> None: ...

    microphone = PrimedSource(BlockMicrophone())
    barge_in = BargeIn(microphone, played=lambda since: [])
    barge_in.begin()
    for _ in range(200):
        if barge_in.heard():
            break
        time.sleep(0.01)
    barge_in.end()
    assert barge_in.heard(), "a voice with no echo to explain it is a barge-in"
    assert len(blocks_given) <= 50 + 4, "noticed within three or four blocks of the voice"
    turn = microphone.open_turn()
    chunks = [next(turn) for _ in range(6)]
    assert {len(c) for c in chunks} == {CHUNK_BYTES}, "the listener hears turn-sized chunks"
    heard = b"".join(chunks)
    voice_at = heard.index(loud.tobytes())
    assert abs(voice_at / 2 / SAMPLE_RATE - 0.5) <= 3 * BLOCK_SECONDS, (
        "the turn begins about half a second before the voice, which is heard whole"
    )


def test_the_kiosks_own_echo_read_late_by_a_busy_processor_is_not_taken_for_a_voice() -> None:
    """On a busy machine the barge-in thread may read the microphone's blocks a second
    after they were recorded. The echo check must compare each block with what was
    playing when it was *recorded*: by the time it is read the kiosk has stopped
    talking, and a late clock would find no echo to explain the sound."""

    from kiosk.hearing.audio import BLOCK_SECONDS, SAMPLE_RATE
    from kiosk.speaking.barge_in import BargeIn, PrimedSource

    block = int(SAMPLE_RATE * BLOCK_SECONDS)
    now = time.monotonic()
    talk_from, talk_for, delay = now - 2.5, 1.0, 0.08
    count = int(talk_for / BLOCK_SECONDS)
    levels = [3000.0 if (n // 10) % 2 == 0 else 300.0 for n in range(count)]  # syllables
    played = [(talk_from + n * BLOCK_SECONDS, level) for n, level in enumerate(levels)]

    late = _PastMicrophone(
        [
            (talk_from + delay + (n + 1) * BLOCK_SECONDS, _tone_block(level * 0.9, block))
            for n, level in enumerate(levels)
        ]
    )
    barge_in = BargeIn(
        PrimedSource(late),
        played=lambda since: [(at, rms) for at, rms in played if at > since],
    )
    barge_in.begin()
    time.sleep(0.5)
    barge_in.end()
    assert not barge_in.heard(), "the kiosk took its own late-read echo for a person"


class _PastMicrophone:
    """Hands over blocks recorded in the past, each with the time it was recorded, all
    at once; then silence, recorded now."""

    def __init__(self, blocks: list[tuple[float, bytes]]) -> None:
        self.blocks = blocks
        self.given = 0
        self.recorded_at: float | None = None

    def open_blocks(self) -> Iterator[bytes]:
        for at, samples in self.blocks:
            self.given += 1
            self.recorded_at = at
            yield samples
        while True:
            self.recorded_at = time.monotonic()
            yield bytes(len(self.blocks[0][1]))

    def open_turn(self) -> Iterator[bytes]:
        raise AssertionError("barge-in reads the microphone's blocks")

    def reopen(self) -> None: ...

    def close(self) -> None: ...


def _tone_block(level: float, samples: int) -> bytes:
    """A block of a square wave at `level` RMS."""
    import array

    half = int(level)
    return array.array("h", [half, -half] * (samples // 2)).tobytes()


def _echo_then_stop(person_db: float | None) -> tuple[int | None, int]:
    """The kiosk says a long line whose echo comes back into the microphone 80 ms late;
    a person says "stop" over it (`person_db` against the echo's level; None: nobody).
    (block in which the barge-in fired or None, block in which "stop" began)."""
    import array

    from kiosk.hearing.audio import BLOCK_SECONDS, SAMPLE_RATE
    from kiosk.speaking.barge_in import BargeIn, PrimedSource
    from kiosk.speaking.echo_cancel import as_samples, resampled
    from tests.support.speech import active_power, require_voice_tools, speak

    require_voice_tools()
    line = speak("I will ask some short questions about your legs. " * 3, "en-us")
    rate, step = 22050, int(22050 * BLOCK_SECONDS)
    played_samples = resampled(as_samples(line), SAMPLE_RATE, rate).astype("<i2").tobytes()
    talk_from = time.monotonic() - 30.0
    played = [
        (talk_from + n * BLOCK_SECONDS, played_samples[2 * i : 2 * (i + step)])
        for n, i in enumerate(range(0, len(played_samples) // 2, step))
    ]
    block, delay = int(SAMPLE_RATE * BLOCK_SECONDS), 0.08
    heard = array.array("h", bytes(int(delay * SAMPLE_RATE) * 2)) + array.array("h", line)
    stop_at, onset = int(5.0 * SAMPLE_RATE), 0
    if person_db is not None:
        stop = array.array("h", speak("stop", "en+f3"))
        gain = 10 ** (person_db / 20) * math.sqrt(active_power(line) / active_power(bytes(stop)))
        voice = [int(s * gain) for s in stop]
        onset = stop_at // block + next(
            k
            for k in range(len(voice) // block)
            if max(map(abs, voice[k * block : (k + 1) * block])) > 300
        )
        for i, s in enumerate(voice):
            heard[stop_at + i] = max(-32768, min(32767, heard[stop_at + i] + s))
    microphone = _PastMicrophone(
        [
            (talk_from + (n + 1) * BLOCK_SECONDS, heard[n * block : (n + 1) * block].tobytes())
            for n in range(len(heard) // block)
        ]
    )
    from kiosk.speaking.player import rms

    levels = [(at, rms(s)) for at, s in played]
    barge_in = BargeIn(
        PrimedSource(microphone),
        played=lambda since: [(at, level) for at, level in levels if at > since],
        sound=lambda since: (rate, [(at, s) for at, s in played if at > since]),
    )
    barge_in.begin()
    for _ in range(500):
        if barge_in.heard() or microphone.given >= len(microphone.blocks):
            break
        time.sleep(0.01)
    barge_in.end()
    return (microphone.given - 1 if barge_in.heard() else None), onset


@pytest.mark.voice
def test_a_stop_said_over_the_kiosk_is_noticed_from_its_quiet_start_not_its_vowel() -> None:
    """What the kiosk plays is known sample by sample, so its echo is taken out of the
    microphone: the /s/ of "stop", far quieter than the echo, already counts, and a
    person no louder than the echo is heard at all. The echo alone never interrupts."""
    nobody, _ = _echo_then_stop(None)
    assert nobody is None, "the kiosk's own echo, 9 s of it, interrupted the kiosk"
    noticed, onset = _echo_then_stop(6.0)
    assert noticed is not None and noticed - onset <= 5, (
        f"a stop 6 dB above the echo noticed {noticed} blocks in (began at {onset}): "
        "within 100 ms, not once its vowel is loud enough"
    )
    as_loud, onset = _echo_then_stop(0.0)
    assert as_loud is not None and as_loud - onset <= 10, (
        "a stop as loud as the kiosk's echo is noticed within 200 ms"
    )
