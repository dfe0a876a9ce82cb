"""The complete schema: imports every model module so Base.metadata holds every table."""

from __future__ import annotations

from console.store import models

metadata = models.Base.metadata
