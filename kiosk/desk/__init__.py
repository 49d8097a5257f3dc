"""The staff desk: every kiosk online or offline, alerts to acknowledge, results ready."""
