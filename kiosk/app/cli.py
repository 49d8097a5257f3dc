"""Command line: parse arguments, build settings, load data, start a front end."""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.app.launch import VoiceOptions, run_voice
from kiosk.app.listing import list_causes, list_questions
from kiosk.app.recognize import print_recognition
from kiosk.config.reading import config_source, describe, read_settings
from kiosk.config.settings import DEFAULT_CONFIG, Settings
from kiosk.core.errors import KioskError
from kiosk.core.events import Output
from kiosk.core.stopping import Stopping, stopping_on_signals
from kiosk.dialog.machine import Dialog
from kiosk.dialog.patience import Patience
from kiosk.frontends.console import reconfigure_stdio, run_interactive, run_jsonl
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.screen.settings import DEFAULT_PORT, ScreenSettings
from kiosk.hearing.audio import list_devices
from kiosk.hearing.engines import ENGINES
from kiosk.language.pack import Pack, load_pack
from kiosk.records.alert import StaffAlert
from kiosk.records.checks import network_problems
from kiosk.records.fhir import questionnaire
from kiosk.records.network import FHIR_SUFFIX, KioskNetwork, build_network, fhir_renderer
from kiosk.records.report import ReportWriter, Summary
from kiosk.records.retention import prune, pruning
from kiosk.records.rule_table import FORMATS, render, rule_table
from kiosk.triage.knowledge import Knowledge, load_knowledge

log = logging.getLogger("kiosk")

ALERT_WAIT_WHEN_STOPPING = 1.2
"""Seconds a staff alert on its way may still take when the kiosk is stopped: the file
line is written at once; a slow command is given this long, and the kiosk exits well
within the 2 s a stop may take (deploy/leg-kiosk.service allows 5)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Offline clinic kiosk that helps a person work out why their legs feel weak.",
    )
    mode = parser.add_argument_group("what to run")
    mode.add_argument("--text", action="store_true", help="text mode: type the answers")
    mode.add_argument("--list-devices", action="store_true", help="list microphones and exit")
    mode.add_argument(
        "--jsonl",
        action="store_true",
        help="with --text: one JSON event per output line, one answer per input line",
    )
    mode.add_argument("--list-questions", action="store_true", help="list question ids and exit")
    mode.add_argument("--list-causes", action="store_true", help="list cause ids and exit")
    mode.add_argument(
        "--export-questionnaire",
        action="store_true",
        help="print the language pack's questions as a FHIR R4 Questionnaire (JSON) and exit",
    )
    mode.add_argument(
        "--explain-rules",
        action="store_true",
        help="print every red flag, triage rule, cause prior and weight with its wording, "
        "effect and source, for a clinician to review, and exit",
    )
    mode.add_argument(
        "--format", choices=FORMATS, default="md", help="with --explain-rules: md (default) or csv"
    )
    mode.add_argument(
        "--check-config",
        nargs="?",
        const=True,
        metavar="FILE",
        help="check a config file (default: the one the kiosk would read), print the "
        "effective settings, and exit (0: fine, 2: a problem)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help=f"the YAML config file (default: {DEFAULT_CONFIG} if it exists); "
        "options given here override it",
    )
    parser.add_argument("--lang", help="language pack in kiosk/language/packs/ (default: en)")
    parser.add_argument(
        "--report-dir", type=Path, help="folder for clinician summaries (default: ./reports)"
    )
    parser.add_argument("--emergency-number", help="override the language pack's emergency number")
    parser.add_argument(
        "--mqtt",
        metavar="URL",
        help="the clinic's MQTT broker, mqtt://host:port or mqtts://host:port (overrides "
        "network.mqtt; user name and password only in the config file)",
    )
    parser.add_argument("--knowledge", type=Path, help="use another knowledge file")
    parser.add_argument("--prompts-dir", type=Path, help="use another folder of language packs")
    voice = parser.add_argument_group("voice mode (the default when a model and microphone exist)")
    voice.add_argument("--model", type=Path, help="a Vosk model folder (default: found in models/)")
    voice.add_argument(
        "--engine",
        choices=ENGINES,
        help="force a recognizer (default: Vosk when its model for the language is "
        "installed, else PocketSphinx for English)",
    )
    voice.add_argument(
        "--recognize",
        type=Path,
        nargs="+",
        metavar="FILE.wav",
        help="print what the kiosk decides for each recording (one JSON line each, any "
        "PCM or float WAV) and exit; needs --question",
    )
    voice.add_argument("--question", help="with --recognize: the question id being answered")
    voice.add_argument("--input-device", help="microphone: a device index or name (--list-devices)")
    voice.add_argument("--voice", help="speech engine voice, for example en-gb or ko")
    voice.add_argument(
        "--wav",
        type=Path,
        action="append",
        default=[],
        help="play this recorded answer instead of listening (repeat per answer)",
    )
    voice.add_argument("--sessions", type=int, help="stop after this many sessions")
    voice.add_argument(
        "--voice-only",
        action="store_true",
        help="exit with status 3 instead of falling back to text mode (for a service "
        "manager that restarts the kiosk until the microphone is there)",
    )
    screen = parser.add_argument_group("the kiosk screen: a local page with captions and buttons")
    screen.add_argument("--screen", action="store_true", help="serve the screen, print its address")
    screen.add_argument("--port", type=int, default=DEFAULT_PORT, help="its port (default: 8765)")
    screen.add_argument("--screen-host", default="127.0.0.1", help="listen here (default: local)")
    screen.add_argument("--screen-token", help="shared secret other machines add as ?token=...")
    screen.add_argument("--no-voice", dest="text", action="store_true", help="same as --text")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log events (never answers) to stderr; -vv for debugging detail",
    )
    return parser.parse_args(argv)


def load(settings: Settings) -> tuple[Knowledge, Pack]:
    knowledge = load_knowledge(settings.knowledge_file)
    pack = load_pack(settings.language, knowledge, settings.prompts_dir)
    if settings.emergency_number:
        pack = dataclasses.replace(pack, emergency_number=settings.emergency_number)
    return knowledge, pack


def dialog_factory(
    settings: Settings,
    knowledge: Knowledge,
    pack: Pack,
    alert: StaffAlert | None = None,
    network: KioskNetwork | None = None,
) -> Callable[[Callable[[Output], None]], Dialog]:
    """Builds the dialog with its report writer, retention, staff alert and network."""
    folder, days = settings.report_dir, settings.retention_days
    prune(folder, days)
    on_written = network.summary_written if network is not None else None
    extras = {FHIR_SUFFIX: fhir_renderer(knowledge, pack)}
    writer = ReportWriter(folder, extras=extras, on_written=on_written)
    atexit.register(writer.close)  # a last try for summaries kept while the folder failed
    alert = alert or StaffAlert(settings.alert, settings.kiosk_id)
    save = alerting(pruning(writer.save, folder, days), alert)
    timeouts = settings.timeouts
    patience = Patience(timeouts.warnings, timeouts.turns_after_wait)

    def make(emit: Callable[[Output], None]) -> Dialog:
        if network is not None:
            emit = network.watch(emit)
        return Dialog(knowledge, pack, alert.watch(emit), save, settings.confirm_below, patience)

    return make


def alerting(save: Callable[[Summary], bool], alert: StaffAlert) -> Callable[[Summary], bool]:
    """`save`, after making sure an emergency in the summary has alerted staff (a summary
    kept as the kiosk stops may hold one whose result was never shown)."""

    def save_and_alert(summary: Summary) -> bool:
        alert.due(summary.triage, summary.red_flags)
        return save(summary)

    return save_and_alert


def voice_options(args: argparse.Namespace, settings: Settings) -> VoiceOptions:
    return VoiceOptions(
        speech=settings.speech,
        model=settings.voice.model,
        input_device=settings.voice.input_device,
        wav_answers=tuple(args.wav),
        sessions=args.sessions,
        no_speech=settings.timeouts.no_speech,
        engine=args.engine,
        barge_in=settings.audio.barge_in,
    )


def check_config(settings: Settings, source: str) -> int:
    """Print the effective settings once everything they name has loaded."""
    try:
        load(settings)
    except KioskError as exc:
        print(f"kiosk: bad setting: {exc}", file=sys.stderr)
        return 2
    problems = network_problems(settings)
    for problem in problems:
        print(f"kiosk: bad setting: {problem}", file=sys.stderr)
    if problems:
        return 2
    print(f"# the kiosk's effective settings: {source}; command-line options on top")
    print(describe(settings), end="")
    return 0


def _setup_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # transitions logs state names ("emergency", "results") at debug: those are results.
    logging.getLogger("transitions").setLevel(logging.WARNING)


def _list_devices() -> int:
    try:
        print(list_devices())
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    return 0


def _run_screen(
    args: argparse.Namespace,
    settings: Settings,
    knowledge: Knowledge,
    pack: Pack,
    make: Callable[[Callable[[Output], None]], Dialog],
    network: KioskNetwork | None = None,
) -> int:
    from kiosk.frontends.screen.run import run_screen
    from kiosk.frontends.session_loop import MakeDialog

    options = voice_options(args, settings)

    def voice(
        inbox: Inbox, make_dialog: MakeDialog, listening: Callable[[bool], None]
    ) -> int | None:
        if network is not None:
            network.wake = inbox.nudge  # the desk's ack is said at once, as without a screen
        return run_voice(options, knowledge, pack, make_dialog, inbox=inbox, on_listening=listening)

    screen = ScreenSettings(args.screen_host, args.port, args.screen_token)
    try:
        private_listening = not args.text and settings.audio.private_output is not None
        return run_screen(
            screen, pack, make, None if args.text else voice, private_listening=private_listening
        )
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None, default_config: Path = DEFAULT_CONFIG) -> int:
    args = parse_args(argv)
    _setup_logging(args.verbose)
    reconfigure_stdio()
    try:
        settings = read_settings(args, default_config)
    except KioskError as exc:
        problem = "bad config:" if args.check_config else "cannot start:"
        print(f"kiosk: {problem} {exc}", file=sys.stderr)
        return 2
    if args.check_config:
        return check_config(settings, config_source(args, default_config))
    try:
        knowledge, pack = load(settings)
    except KioskError as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 2
    if args.list_questions:
        print(list_questions(knowledge, pack))
        return 0
    if args.list_devices:
        return _list_devices()
    if args.list_causes:
        print(list_causes(knowledge, pack))
        return 0
    if args.export_questionnaire:
        print(json.dumps(questionnaire(knowledge, pack), ensure_ascii=False, indent=2))
        return 0
    if args.explain_rules:
        sys.stdout.write(render(rule_table(knowledge, pack), args.format))
        return 0
    if args.recognize:
        if not args.question:
            print("kiosk: --recognize needs --question ID (see --list-questions)", file=sys.stderr)
            return 2
        engine = args.engine
        return print_recognition(
            args.recognize, args.question, knowledge, pack, engine, settings.voice.model
        )
    try:
        network = build_network(settings, pack)
    except KioskError as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 2
    desk = network.send_alert if network.link is not None else None
    alert = StaffAlert(settings.alert, settings.kiosk_id, desk)
    network.start()
    stopped = False
    try:
        make = dialog_factory(settings, knowledge, pack, alert, network)
        with stopping_on_signals():
            return _run(args, settings, knowledge, pack, make, network)
    except Stopping:
        stopped = True  # the front end saved what it had; exit cleanly for systemd
        return 0
    finally:
        if stopped:
            alert.wait(within=ALERT_WAIT_WHEN_STOPPING)
        else:
            alert.wait()
        network.close()


def _run(
    args: argparse.Namespace,
    settings: Settings,
    knowledge: Knowledge,
    pack: Pack,
    make: Callable[[Callable[[Output], None]], Dialog],
    network: KioskNetwork | None = None,
) -> int:
    """Start the front end the arguments ask for."""
    timeouts = settings.timeouts
    if args.jsonl:
        return run_jsonl(make, sys.stdin, sys.stdout, timeouts.jsonl_idle)
    if args.screen:
        return _run_screen(args, settings, knowledge, pack, make, network)
    try:
        if not args.text:
            inbox = Inbox()
            if network is not None:
                network.wake = inbox.nudge
            code = run_voice(voice_options(args, settings), knowledge, pack, make, inbox=inbox)
            if code is not None:
                return code
            if args.voice_only:
                print(
                    "kiosk: --voice-only: not falling back to text mode; exiting", file=sys.stderr
                )
                return 3
        return run_interactive(make, sys.stdin, sys.stdout, timeouts.text_idle)
    except Stopping:
        print()
        raise
