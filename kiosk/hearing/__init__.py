"""Listening: audio sources, levels and voice activity, turns and the end of speech,
grammars rendered from the vocabulary, and the Vosk, Whisper and PocketSphinx engines,
each of which returns one event (with its meaning) per turn."""
