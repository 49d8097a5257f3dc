"""Where the kiosk screen is served, and who may use it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from kiosk.core.errors import ConfigError

DEFAULT_PORT = 8765


@dataclass(frozen=True)
class ScreenSettings:
    host: str = "127.0.0.1"
    """The address to listen on. Anything but this machine needs a `token`."""
    port: int = DEFAULT_PORT
    """The TCP port (0: any free port, for tests)."""
    token: str | None = None
    """A shared secret a bedside tablet puts in the address (?token=...); None on localhost."""

    def check(self) -> None:
        """A clear error for settings that would expose the kiosk without a token."""
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"screen port {self.port} is not a TCP port (use 1-65535)")
        if self.token is not None and len(self.token) < 16:
            raise ConfigError("the screen token is too short: use at least 16 random characters")
        if not self.local and self.token is None:
            raise ConfigError(
                f"serving the screen on {self.host} lets other machines use the kiosk: "
                "also give --screen-token with a shared secret of at least 16 characters"
            )

    @property
    def local(self) -> bool:
        """True when only this machine can reach the screen."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
