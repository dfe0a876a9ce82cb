"""Records: sources, imports, search and subject discovery, erasure, correction, suppression.

model holds what the modules share; the use cases sit above it.
"""
