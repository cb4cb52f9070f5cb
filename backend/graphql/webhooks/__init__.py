"""GraphQL for apps' webhooks: subscriptions, their secrets, the delivery log and the events sent."""
