"""The transactional outbox: domain events written with the change they report, relayed after commit.

`record` writes an event in the caller's transaction, so it exists if and only if the change committed;
it survives a crash and a Redis flush. The relay (`relay.py`) hands committed events to their consumers
(live subscriptions, apps' webhooks) and marks them relayed: at once after the writer's commit when the
session knows how to wake it, and in any case from the workers' sweep (`backend.jobs`).
"""
