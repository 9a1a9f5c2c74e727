"""Surveys of trust, fairness and fear of crime: instruments, waves, responses, weighting and
estimates. The statistics live in ``ourbeat.surveys.statistics`` (pure functions on arrays)."""
