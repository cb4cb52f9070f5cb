"""Reconciling each channel's daily bill with the books, at city scale (issue 18).

A run per (channel, Beijing day) downloads the bill, streams it through the channel's `parse_bill`
into a per-run temporary table (COPY on PostgreSQL, batched inserts on SQLite) and compares it with
the books in the database, by exact reference: out_trade_no for payments, out_request_no for refunds.
Before anything becomes a break the run asks again: a payment the channel took whose order is open here
is credited from the channel's answer, an item the other side has on the neighbouring day is pending.
What remains is a break with a priority and a lifecycle (new, persisting, resolved), every act in
`finance_audit`. Modules: `days` (Beijing days, when a bill is due), `loading` (the bill into the
database), `matching` (the comparison in SQL), `settling` (asking again), `breaks`, `fees` (the bill's
fees into the ledger), `runs` (a run and its verdict), `reading` (runs and breaks for finance staff),
`export` (a run as a table).
"""
