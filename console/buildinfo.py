"""What build this is: the package version, plus the stamp build_installer.py writes into a bundle."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from console import __version__
from console.paths import resource_path

STAMP_FILE = "build_info.json"


@lru_cache(maxsize=1)
def build_info() -> dict[str, Any]:
    """The stamp of a packaged build ({} when running from a checkout or a pip install)."""
    try:
        data = json.loads(resource_path(STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def version_text() -> str:
    """The version, with the build's git description and date in a packaged build."""
    info = build_info()
    if not info:
        return __version__
    parts = [p for p in (info.get("describe"), info.get("built_at", "")[:10]) if p]
    return f"{__version__} (build {', '.join(parts)})" if parts else __version__
