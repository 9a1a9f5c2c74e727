"""Writes of the surveys app: instruments (library, revisions) and fielding (waves, invitations,
responses, weighting)."""
