"""Certification of eco-industrial parks and eco-enterprises: rule packs, evaluation with evidence and gaps,
dossiers, procedure time limits on Vietnam's working-day calendar, and the annual monitoring reports."""
