"""Appointments on GraphQL."""
