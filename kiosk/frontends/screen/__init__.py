"""The kiosk screen: a small web server, its message protocol and its page."""
