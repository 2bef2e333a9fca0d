"""What the Training callbacks share: small formatting of messages and of run ids in addresses."""

from __future__ import annotations


def parse_run_ids(text: str | None, limit: int = 8) -> list[int]:
    """Run ids from a query string such as "3,7,12"; anything that is not a small positive integer is dropped."""
    ids: list[int] = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit() and 0 < len(part) <= 9 and int(part) not in ids:
            ids.append(int(part))
    return ids[:limit]
