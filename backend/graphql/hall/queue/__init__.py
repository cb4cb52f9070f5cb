"""Queue numbers, counters and the hall manager's view on GraphQL."""
