"""Demo data: accounts with known passwords, the policy pack, and each area's sample data."""
