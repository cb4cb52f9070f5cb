"""finance on GraphQL."""
