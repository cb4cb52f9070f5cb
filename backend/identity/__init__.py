"""Identity: citizens, staff, login codes, tokens, sessions, OAuth clients, consent and audit."""
