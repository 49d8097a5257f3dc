"""What a clinic sets (settings) and how it is read from the config file."""
