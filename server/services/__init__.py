"""Use cases: each opens one transaction and combines domain rules with the store."""
