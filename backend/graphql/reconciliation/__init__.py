"""reconciliation on GraphQL."""
