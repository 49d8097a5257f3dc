"""Records and the clinic network: the on-disk outbox, MQTT to the staff desk, FHIR."""
