"""Everything about money: channels, orders, ledger, clearing, receipts, reconciliation."""
