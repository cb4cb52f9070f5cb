"""GraphQL of electronic certificates: the wallet and public verification."""
