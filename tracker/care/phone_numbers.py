"""Phone numbers as people write them, turned into tap-to-call links."""

from __future__ import annotations


def tel_uri(number: str) -> str:
    """A number as written ("020 7946 0000", "+44 (0)20 7946 0000") as a `tel:` link target.

    Spaces and punctuation are dropped (RFC 3966 allows none of them in a dialled number, and
    some phones stop at the first space); the trunk "(0)" written after an international
    prefix is not dialled. Returns "" when nothing diallable is left.
    """
    number = number.strip()
    international = number.startswith("+")
    if international:
        number = number.replace("(0)", "")
    digits = "".join(ch for ch in number if ch.isdigit() or ch in "*#")
    if not digits:
        return ""
    return f"tel:+{digits}" if international else f"tel:{digits}"
