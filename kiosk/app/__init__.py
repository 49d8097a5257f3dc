"""The kiosk program: the command line and the composition of each front end with its
devices, engines and records."""
