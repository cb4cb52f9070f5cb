"""Applications: one form, submission, instant approval, processing, progress."""
