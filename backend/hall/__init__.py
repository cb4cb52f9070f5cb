"""At the hall (issue 19): appointments by the hour, queue numbers with live waiting times, and 好差评
ratings that lead to a fix.

- `categories`: a hall's service categories (one per department it serves), their ticket letters and the
  counters planned for each; appointments and queues share them.
- `appointments/`: slots with capacity from the counters, hold, confirm, cancel, reschedule, the
  anti-trading delay, no-show rules, reminders, the calendar file and the QR code that checks in.
- `queue/`: tickets per category and day (A001 ...), their order, officers' counters and calls, the
  waiting estimate, "which hall now", and the hall manager's view with the Erlang C staffing hint.
- `ratings/`: 好差评 (five levels, the national criteria per channel, once per case), rectification of a
  差评 with a working-day deadline, escalation to the 12345 hotline, appeals, published figures.
"""
