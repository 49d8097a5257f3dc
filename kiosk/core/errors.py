"""The kiosk's error tree: one base class, one subclass per place things go wrong."""


class KioskError(Exception):
    """Base for every error the kiosk reports to a person or an operator."""


class ConfigError(KioskError):
    """Settings or command-line arguments that cannot be used."""


class DataFileError(KioskError):
    """A YAML data file (knowledge or language pack) that is malformed.

    The message always names the file, the entry and what is wrong, so the
    person fixing it never has to guess.
    """

    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        where = f"{file}: {entry}" if entry else file
        super().__init__(f"{where}: {problem}")


class KnowledgeError(DataFileError):
    """The knowledge file (causes, findings, weights, red flags) is broken."""


class PromptPackError(DataFileError):
    """A language pack in kiosk/language/packs/ is broken or out of step with the knowledge."""


class ConfigFileError(DataFileError, ConfigError):
    """The kiosk's YAML config file has an unknown key, a wrong type or a value out of range."""


class ModelNotFoundError(KioskError):
    """No usable speech model at the configured path."""


class AudioDeviceError(KioskError):
    """A microphone, speaker or audio file that cannot be used."""


class ReportError(KioskError):
    """The clinician summary could not be written."""
