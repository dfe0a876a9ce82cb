"""Data-subject requests: intake, the clock, review, fulfilment, letters, metrics and their reports.

model holds what the modules share (types, the request view, write helpers); the use cases sit above it.
"""
