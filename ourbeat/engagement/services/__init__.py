"""Writes of the engagement app, one module per part: ``meetings`` (forums, meetings,
registrations, what meetings heard) and ``priorities`` (proposals, support, votes, adoption,
the lifecycle, actions, provenance and notifications)."""
