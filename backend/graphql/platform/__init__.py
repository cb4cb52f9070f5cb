"""GraphQL for the developer platform: trusted documents, usage, limits."""
