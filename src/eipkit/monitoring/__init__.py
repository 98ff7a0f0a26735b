"""Monitoring what was done and what it saved: opportunity stages with their history, savings measured from
records, and the results tables a ministry and a donor read."""
