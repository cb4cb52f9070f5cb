"""Finding the right matter or life-event bundle from what a citizen types, in three scripts."""
