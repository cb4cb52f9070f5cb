"""Background work on SAQ (a maintained asyncio job queue over Redis): scheduled jobs and one-off jobs,
with retries, timeouts and a sweep that takes over the jobs of a crashed worker.

Redis holds only the queue, never a fact: every job's durable state is in the database (the outbox,
webhook deliveries with their next attempt, `job_runs`), so a flushed Redis loses wake-ups that the
schedule re-creates within a minute. Any number of workers share one queue; a scheduled job is enqueued
under one key per slot and claims its slot in `job_runs` before it runs, so it runs once however many
instances there are.
"""
