"""Triage: what the knowledge decides and how a clinician can check it."""
