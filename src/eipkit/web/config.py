"""What a deployment may tune, read once from the environment: upload limits, heavy work at once, cookies.

The defaults are far above what a park uploads (a park of 200 tenants with five years of records is about 30,000
rows and 2 MB) and far below what would let one user take the server's memory or time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from eipkit.workbooks.workbook import Limits

MB = 1024 * 1024


def _number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not '{text}'") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not '{text}'")
    return value


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebSettings:
    max_body_bytes: int = 20 * MB
    upload: Limits = field(
        default_factory=lambda: Limits(
            max_rows=100_000, max_uncompressed_bytes=100 * MB, max_shared_strings_bytes=20 * MB
        )
    )
    heavy_per_user: int = 2
    heavy_at_once: int = 4
    secure_cookies: bool = False
    database_wait_s: float = 15.0

    @classmethod
    def from_environment(cls) -> WebSettings:
        """`EIPKIT_MAX_UPLOAD_MB`, `EIPKIT_MAX_UPLOAD_ROWS`, `EIPKIT_HEAVY_PER_USER`, `EIPKIT_SECURE_COOKIES`
        (set it to 1 behind HTTPS: cookies are then sent over HTTPS only, with HSTS)."""
        body = int(_number("EIPKIT_MAX_UPLOAD_MB", 20) * MB)
        rows = int(_number("EIPKIT_MAX_UPLOAD_ROWS", 100_000))
        return cls(
            max_body_bytes=body,
            upload=Limits(
                max_rows=rows,
                max_uncompressed_bytes=max(100 * MB, 5 * body),
                max_shared_strings_bytes=max(20 * MB, body),
            ),
            heavy_per_user=int(_number("EIPKIT_HEAVY_PER_USER", 2)),
            secure_cookies=_flag("EIPKIT_SECURE_COOKIES"),
        )
