"""The conversation: the state machine, what it remembers about one person, its patience,
the read-back, and the loop that feeds it events. Knows nothing about devices."""
