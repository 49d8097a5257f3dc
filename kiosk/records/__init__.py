"""Records a session leaves: the clinician summary and how it is worded, the on-disk
outbox, MQTT to the staff desk, and FHIR."""
