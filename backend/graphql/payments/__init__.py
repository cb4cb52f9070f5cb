"""GraphQL of payments: orders, paying, receipts, refunds."""
