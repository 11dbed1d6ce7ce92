"""What every worker process needs, loaded once in the fork server before it forks them (flows/engine/workers.py).

Each worker would otherwise pay about a second on its first posts: importing the Markdown extensions and
reading the CMU pronouncing dictionary (135,000 words). Loaded here, the workers share it copy-on-write.
The editor's one-post loop never imports this module: it checks in its own process.
"""

from __future__ import annotations

from checks import syllables
from checks.document import parse_post

syllables.syllable_count("preloaded")  # reads the dictionary
parse_post("posts/preload.md", b"---\ntitle: Preload\n---\n# Heading\n\nA [link](/x/) and *text*.\n")
