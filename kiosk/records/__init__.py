"""Records a session leaves: the clinician summary and how it is worded, the on-disk
outbox, the staff alert, MQTT to the staff desk, FHIR, and the rule table a clinician
signs."""
