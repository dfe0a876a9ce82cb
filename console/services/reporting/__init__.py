"""The report catalogue: each job's report builders, run, exported and verified one way."""
