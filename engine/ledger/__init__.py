"""The deadline ledger: each duty's term in each case, and what a breach records and tells."""
