"""The ground floor: errors, the events between the dialog and the front ends, meanings,
stop signals and YAML fields. Imports nothing else of the kiosk."""
