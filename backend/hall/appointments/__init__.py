"""Appointments at a hall by the hour: slots, holds, confirmation, cancellation, no-show rules, reminders."""
