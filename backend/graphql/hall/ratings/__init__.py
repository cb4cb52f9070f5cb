"""好差评 on GraphQL."""
