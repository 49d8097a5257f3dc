"""Command line: parse arguments, build settings, load data, start a front end."""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.audio import list_devices
from kiosk.console import reconfigure_stdio, run_interactive, run_jsonl
from kiosk.dialog import Dialog
from kiosk.errors import KioskError
from kiosk.events import Output
from kiosk.knowledge import Knowledge, load_knowledge
from kiosk.launch import VoiceOptions, run_voice
from kiosk.listing import list_causes, list_questions
from kiosk.prompts import Pack, load_pack
from kiosk.report import ReportWriter
from kiosk.settings import Settings

log = logging.getLogger("kiosk")


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
    parser.add_argument("--lang", default="en", help="language pack in prompts/ (default: en)")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        help="folder for clinician summaries (default: ./reports)",
    )
    parser.add_argument("--emergency-number", help="override the language pack's emergency number")
    parser.add_argument("--knowledge", type=Path, help="use another knowledge file")
    parser.add_argument("--prompts-dir", type=Path, help="use another folder of language packs")
    voice = parser.add_argument_group("voice mode (the default when a model and microphone exist)")
    voice.add_argument("--model", type=Path, help="a Vosk model folder (default: found in models/)")
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
    parser.add_argument("-v", "--verbose", action="store_true", help="log events to stderr")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    defaults = Settings()
    return Settings(
        language=args.lang,
        prompts_dir=args.prompts_dir or defaults.prompts_dir,
        knowledge_file=args.knowledge or defaults.knowledge_file,
        report_dir=args.report_dir,
        emergency_number=args.emergency_number,
    )


def load(settings: Settings) -> tuple[Knowledge, Pack]:
    knowledge = load_knowledge(settings.knowledge_file)
    pack = load_pack(settings.language, knowledge, settings.prompts_dir)
    if settings.emergency_number:
        pack = dataclasses.replace(pack, emergency_number=settings.emergency_number)
    return knowledge, pack


def dialog_factory(
    settings: Settings, knowledge: Knowledge, pack: Pack
) -> Callable[[Callable[[Output], None]], Dialog]:
    writer = ReportWriter(settings.report_dir)
    atexit.register(writer.close)  # a last try for summaries kept while the folder failed

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, writer.save, settings.confirm_below)

    return make


def _list_devices() -> int:
    try:
        print(list_devices())
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    reconfigure_stdio()
    settings = settings_from(args)
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
    make = dialog_factory(settings, knowledge, pack)
    if args.jsonl:
        return run_jsonl(make, sys.stdin, sys.stdout)
    try:
        if not args.text:
            options = VoiceOptions(
                args.model, args.input_device, tuple(args.wav), args.voice, args.sessions
            )
            code = run_voice(options, knowledge, pack, make)
            if code is not None:
                return code
        return run_interactive(make, sys.stdin, sys.stdout)
    except KeyboardInterrupt:
        print()
        return 130
