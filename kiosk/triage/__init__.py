"""Triage: the knowledge (causes, questions, red flags, rules and their sources) and the
pure rules that score answers. Knows nothing about words, audio or the dialog."""
