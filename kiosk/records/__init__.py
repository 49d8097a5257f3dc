"""Records a session leaves: the clinician summary and how it is worded."""
