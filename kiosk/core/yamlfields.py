"""Strict reading of YAML mappings: unknown keys, missing keys and wrong types are errors.

Both the knowledge file and the language packs are read through `Entry`, so every
problem is reported the same way: file, dotted entry path, and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from kiosk.core.errors import DataFileError

E = TypeVar("E", bound=DataFileError)
T = TypeVar("T")


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (as in YAML 1.2).

    Packs and the knowledge file are full of answers named yes and no; YAML 1.1
    would silently turn them into True and False.
    """


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path, error: type[E]) -> Any:
    """Parse a YAML file, turning read and syntax errors into `error` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(str(path), "", f"cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise error(
            str(path), f"byte {exc.start}", "is not UTF-8 text (save the file as UTF-8)"
        ) from exc
    try:
        return yaml.load(text, Loader=_Yaml12Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise error(str(path), where, f"is not valid YAML ({exc})") from exc


class Entry:
    """A view of one YAML value that knows where it came from."""

    def __init__(self, value: Any, file: str, path: str, error: type[DataFileError]) -> None:
        self.value = value
        self.file = file
        self.path = path
        self.error = error

    def fail(self, problem: str) -> DataFileError:
        """An error naming this entry; the caller raises it."""
        return self.error(self.file, self.path or "(top level)", problem)

    def child(self, key: str | int, value: Any) -> Entry:
        sub = f"{self.path}.{key}" if self.path else str(key)
        return Entry(value, self.file, sub, self.error)

    def mapping(self, required: set[str], optional: frozenset[str] = frozenset()) -> Entry:
        """Check this is a mapping with exactly the allowed keys."""
        if not isinstance(self.value, Mapping):
            raise self.fail(f"must be a mapping, got {_kind(self.value)}")
        keys = {str(k) for k in self.value}
        unknown = sorted(keys - required - optional)
        if unknown:
            allowed = ", ".join(sorted(required | optional))
            raise self.fail(f"unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
        missing = sorted(required - keys)
        if missing:
            raise self.fail(f"missing key(s) {', '.join(missing)}")
        return self

    def items(self) -> Iterator[tuple[str, Entry]]:
        """The (key, entry) pairs of a mapping with free-form keys."""
        if not isinstance(self.value, Mapping) or not self.value:
            raise self.fail("must be a non-empty mapping")
        for key, value in self.value.items():
            if not isinstance(key, str) or not key:
                raise self.fail(f"key {key!r} must be a non-empty string")
            yield key, self.child(key, value)

    def get(self, key: str) -> Entry:
        return self.child(key, self.value.get(key) if isinstance(self.value, Mapping) else None)

    def has(self, key: str) -> bool:
        return isinstance(self.value, Mapping) and key in self.value

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail(f"must be non-empty text, got {_kind(self.value)}")
        return self.value.strip()

    def number(self, low: float, high: float) -> float:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"must be a number, got {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(f"must be between {low} and {high}, got {value}")
        return float(value)

    def integer(self, low: int, high: int) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"must be a whole number, got {_kind(self.value)}")
        return int(self.number(low, high))

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"must be true or false, got {_kind(self.value)}")
        return self.value

    def texts(self) -> tuple[str, ...]:
        """A non-empty list of non-empty strings."""
        if not isinstance(self.value, list) or not self.value:
            raise self.fail(f"must be a non-empty list, got {_kind(self.value)}")
        return tuple(self.child(i, v).text() for i, v in enumerate(self.value))

    def one_of(self, allowed: Mapping[str, T] | set[str] | frozenset[str]) -> str:
        name = self.text()
        if name not in allowed:
            raise self.fail(f"{name!r} is not one of: {', '.join(sorted(allowed))}")
        return name


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]
