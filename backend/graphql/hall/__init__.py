"""The hall on GraphQL: appointments, queues, 好差评."""
