"""The kiosk's YAML config file, read strictly into the frozen `Settings`.

The file mirrors the dataclasses in settings.py: one key per field, one section per
nested dataclass. Anything else is an error naming the file and the key: an unknown
key (a typo would otherwise be silently ignored on an unattended machine), a wrong
type, or a value out of range. Relative paths are relative to the file's folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import yaml

from kiosk.config.settings import Settings
from kiosk.core.errors import ConfigFileError
from kiosk.core.yamlfields import Entry, load_yaml

NOTHING = type(None)
MINIMUM_WARNING_SECONDS = 20
"""From the first spoken warning to the reset (WCAG 2.2 SC 2.2.1: at least 20 s)."""
_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", Path: "a path"}


def load_config(path: Path, base: Settings | None = None) -> Settings:
    """Settings from `path`, on top of `base` (the defaults)."""
    value = load_yaml(path, ConfigFileError)
    top = Entry({} if value is None else value, str(path), "", ConfigFileError)
    settings: Settings = _build(base or Settings(), top, path.resolve().parent)
    timeouts = settings.timeouts
    if timeouts.warnings * timeouts.no_speech < MINIMUM_WARNING_SECONDS:
        raise ConfigFileError(
            str(path),
            "timeouts",
            f"warnings x no_speech is {timeouts.warnings * timeouts.no_speech:g} s; a person "
            f"must have at least {MINIMUM_WARNING_SECONDS} s after the first warning to say "
            "wait (WCAG 2.2 SC 2.2.1): raise warnings or no_speech",
        )
    return settings


def find_config(given: Path | None, default: Path) -> Path | None:
    """The file named on the command line, else the default one when it exists."""
    if given is not None:
        return given
    return default if default.is_file() else None


def settings_from(args: argparse.Namespace, base: Settings | None = None) -> Settings:
    """The config file's settings (or the defaults), with command-line options on top."""
    settings = base or Settings()
    given = {
        "language": args.lang,
        "prompts_dir": args.prompts_dir,
        "knowledge_file": args.knowledge,
        "report_dir": args.report_dir,
        "emergency_number": args.emergency_number,
    }
    voice = {"model": args.model, "input_device": args.input_device, "name": args.voice}
    mqtt = getattr(args, "mqtt", None)
    return dataclasses.replace(
        settings,
        **{k: v for k, v in given.items() if v is not None},
        voice=dataclasses.replace(settings.voice, **{k: v for k, v in voice.items() if v}),
        network=dataclasses.replace(settings.network, mqtt=mqtt or settings.network.mqtt),
    )


def read_settings(args: argparse.Namespace, default_config: Path) -> Settings:
    """Settings from the config file (if any) and the command line; ConfigError if bad."""
    found = config_file(args, default_config)
    base = load_config(found) if found is not None else Settings()
    return settings_from(args, base)


def config_file(args: argparse.Namespace, default_config: Path) -> Path | None:
    """--check-config FILE, else --config FILE, else the default file if it exists."""
    path = args.check_config if isinstance(args.check_config, str) else args.config
    return find_config(Path(path) if path else None, default_config)


def config_source(args: argparse.Namespace, default_config: Path) -> str:
    found = config_file(args, default_config)
    return f"read from {found}" if found else f"defaults ({default_config} does not exist)"


def describe(settings: Settings) -> str:
    """The settings as YAML: what --check-config prints, and a valid config file itself."""
    return yaml.safe_dump(_plain(settings), sort_keys=False, allow_unicode=True)


def _build(current: Any, entry: Entry, base: Path) -> Any:
    names = frozenset(f.name for f in dataclasses.fields(current))
    if entry.value is None:  # an empty section: the defaults
        return current
    entry.mapping(set(), names)
    hints = get_type_hints(type(current))
    changes = {
        f.name: _value(entry.get(f.name), hints[f.name], f, getattr(current, f.name), base)
        for f in dataclasses.fields(current)
        if entry.has(f.name)
    }
    return dataclasses.replace(current, **changes)


def _value(entry: Entry, hint: Any, field: dataclasses.Field[Any], now: Any, base: Path) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(now, entry, base)
    if get_origin(hint) in (Union, types.UnionType):
        return _union(entry, get_args(hint), field, now, base)
    low, high = field.metadata.get("range", (-1e9, 1e9))
    if hint is bool:
        return entry.boolean()
    if hint is str:
        if isinstance(entry.value, int | float) and not isinstance(entry.value, bool):
            value = entry.value
            raise entry.fail(f"must be text, got {value!r}: put it in quotes, like '{value}'")
        return entry.text()
    if hint is int:
        return entry.integer(int(low), int(high))
    if hint is float:
        return entry.number(low, high)
    if hint is Path:
        path = Path(entry.text()).expanduser()
        return path if path.is_absolute() else base / path
    if get_origin(hint) is tuple:
        return entry.texts()
    raise TypeError(f"settings field {field.name} has a type the loader cannot read: {hint}")


def _union(
    entry: Entry, members: tuple[Any, ...], field: dataclasses.Field[Any], now: Any, base: Path
) -> Any:
    if entry.value is None and NOTHING in members:
        return None
    kinds = [m for m in members if m is not NOTHING]
    if len(kinds) == 1:
        return _value(entry, kinds[0], field, now, base)
    for kind in kinds:  # int | str: take the value as whichever it is
        if isinstance(entry.value, kind) and not isinstance(entry.value, bool):
            return _value(entry, kind, field, now, base)
    wanted = " or ".join(_TYPE_NAMES.get(k, str(k)) for k in kinds)
    raise entry.fail(f"must be {wanted}, got {type(entry.value).__name__} {entry.value!r}")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value
