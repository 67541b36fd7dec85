"""URLs as the host may print them. Pure."""

from __future__ import annotations

import re

# the authority's userinfo: everything between "scheme://" (or the start) and the last "@"
# before the path, query or fragment, in a URL however malformed
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?[^/?#]*@")
_AFTER_PATH = re.compile(r"([?#]).*$", re.DOTALL)  # a query or fragment (a token, say)


def shown_url(url: str) -> str:
    """``url`` with a user name and password, a query and a fragment replaced by ``***``:
    a base URL is printed (``models status``, an error naming it), what it may hide in
    those parts never is."""
    url = _USERINFO.sub(lambda m: f"{m.group(1) or ''}***@", url, count=1)
    return _AFTER_PATH.sub(lambda m: f"{m.group(1)}***", url, count=1)
