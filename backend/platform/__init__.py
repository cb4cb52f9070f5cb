"""The developer platform's domain: what apps may ask of the API (cost, limits, trusted documents) and
what they did (usage)."""
