"""Apps' webhooks: subscriptions, signed deliveries (Standard Webhooks) fed from the outbox, the log."""
