"""A policy's regular expression described in words, for messages reviewers read.

``\\bbefore[- ](?:and|&)[- ]after\\b`` becomes "before and after": word boundaries and anchors dropped, a choice
of separators read as a space, the first of a group's alternatives kept, repetition and optional marks dropped.
What cannot be read that way (a pattern that is mostly classes) is named by the words it contains, else "a
pattern in the policy". Pure text in, text out.
"""

from __future__ import annotations

import re

_GROUP = re.compile(r"\((?:\?:|\?i:|\?<?[=!])?([^()]*)\)")
_CLASS = re.compile(r"\[(?:[^\]\\]|\\.)*\]")
_ESCAPES = {r"\s": " ", r"\-": "-", r"\.": ".", r"\'": "'", r"\&": "&", r"\/": "/"}


def describe_pattern(pattern: str) -> str:
    text = pattern
    for _ in range(5):  # innermost groups first: keep each group's first alternative
        text, count = _GROUP.subn(lambda m: m.group(1).split("|")[0], text)
        if not count:
            break
    text = text.split("|")[0]
    text = _CLASS.sub(lambda m: " " if any(c in m.group(0) for c in " -_") or r"\s" in m.group(0) else "", text)
    text = re.sub(r"\\[bBAZ]|[\^$]", "", text)
    for escape, plain in _ESCAPES.items():
        text = text.replace(escape, plain)
    text = re.sub(r"\\[wdWDS]", "", text)
    text = re.sub(r"\{\d*,?\d*\}|[+*?]", "", text)
    text = text.replace("\\", "")
    words = re.sub(r"\s+", " ", text).strip()
    return words if re.search(r"[A-Za-z]{2}", words) else "a pattern in the policy"
