"""closing on GraphQL."""
