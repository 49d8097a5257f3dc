"""Offline clinic kiosk that helps a person work out why their legs feel weak."""

__version__ = "0.1.0"
