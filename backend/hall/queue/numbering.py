"""Ticket numbers per hall, category and Beijing day: A001 ... A999, never twice.

The series row is only moved by a conditional UPDATE ... RETURNING: on PostgreSQL it locks the row until
the ticket's transaction ends, on SQLite the database's write lock does; two tickets never share a number.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.queue.errors import QueueError, QueueErrorCode

LAST = 999


def label(prefix: str, number: int) -> str:
    """A001: the letter(s) of the category and three digits."""
    return f"{prefix}{number:03d}"


async def next_number(session: AsyncSession, hall_code: str, category_code: str, day: date) -> int:
    """The next number of the day's series (its first row created on the day's first ticket)."""
    s = t.ticket_series
    where = (s.c.hall_code == hall_code, s.c.category_code == category_code, s.c.day == day)
    for _ in range(3):
        taken = (
            await session.execute(
                update(s).where(*where).values(last_number=s.c.last_number + 1).returning(s.c.last_number)
            )
        ).scalar_one_or_none()
        if taken is not None:
            if taken > LAST:
                raise QueueError(QueueErrorCode.NUMBERS_RUN_OUT)
            return int(taken)
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(s).values(hall_code=hall_code, category_code=category_code, day=day, last_number=1)
                )
            return 1
        except IntegrityError:
            continue  # another ticket created the day's row first: take the next number from it
    raise RuntimeError("the ticket series row could not be created or updated")
