"""GraphQL of applications, certificates and notifications."""
