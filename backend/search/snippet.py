"""Highlighting what matched in a result's text."""

from __future__ import annotations

import html

from backend.search.text import english_words, normalize, stem


def highlight(text: str, query: str) -> str:
    """`text` (HTML-escaped) with the characters and words the query shares wrapped in <em>.

    Chinese matches are found on the Simplified form of both (one character maps to one), English
    matches on word stems.
    """
    folded = normalize(text)
    wanted = normalize(query)
    marks = [False] * len(text)
    if len(folded) == len(text):
        chinese = {c for c in wanted if "\u4e00" <= c <= "\u9fff"}
        for i, char in enumerate(folded):
            if char in chinese:
                marks[i] = True
        stems = {stem(w) for w in english_words(wanted)}
        position = 0
        for word in folded.split(" "):
            if word and stem("".join(ch for ch in word if ch.isalnum())) in stems:
                for i in range(position, position + len(word)):
                    marks[i] = True
            position += len(word) + 1
    out, open_ = [], False
    for char, marked in zip(text, marks, strict=True):
        if marked and not open_:
            out.append("<em>")
            open_ = True
        elif not marked and open_:
            out.append("</em>")
            open_ = False
        out.append(html.escape(char))
    if open_:
        out.append("</em>")
    return "".join(out)
