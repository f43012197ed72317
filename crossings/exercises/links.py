"""Links inside learner notebooks point to published pages, never to Markdown sources.

An exercise's text links its module pages the way MyST wants them in the site
(``[title](../../modules/x/page.md)``). A downloaded notebook lives outside the site, so
such a link would be dead there. ``published_links`` turns each one into the page's
address on the published site (``html.baseurl`` in ``_config.yml``), or, where no address
is configured, into the page title with its path on the site, in plain text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s#]+\.md)(#[^)\s]*)?\)")


def published_links(text: str, source: Path, root: Path, base: str) -> str:
    def swap(match: re.Match) -> str:
        title, target, anchor = match[1], match[2], match[3] or ""
        if "://" in target:
            return match[0]
        page = Path(os.path.normpath(source.parent / target))
        try:
            rel = page.relative_to(root).with_suffix(".html").as_posix()
        except ValueError:
            return title
        if base:
            return f"[{title}]({base}{rel}{anchor})"
        return f"{title} (page `{rel}` of the Crossings site)"

    return LINK.sub(swap, text)
