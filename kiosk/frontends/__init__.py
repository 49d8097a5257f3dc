"""Front ends: text, JSON lines, voice and the screen, each moving events between its
devices and the dialog."""
