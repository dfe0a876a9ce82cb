"""Legal and law-enforcement requests: intake, review, scope, holds, productions, disclosures, reports.

model holds what the modules share (types, reading one back, write helpers); the use cases sit above it.
"""
