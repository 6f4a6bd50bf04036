"""How names are written and compared: slugs for IRIs, folded text for matching."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "slugify"]


def slugify(text: str) -> str:
    """A slug as AUTHORING.md defines them: lowercase ASCII words joined by ``-``.

    >>> slugify("São Paulo")
    'sao-paulo'
    >>> slugify("Mayors Migration Council (MMC)")
    'mayors-migration-council-mmc'
    >>> slugify("Malmö ")
    'malmo'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def fold(text: str) -> str:
    """A name as it is compared: accents stripped, case folded, whitespace collapsed.

    >>> fold("  Malmö   Stad ") == fold("malmo stad")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
