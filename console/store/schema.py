"""The complete schema: imports every model module so Base.metadata holds every table."""

from __future__ import annotations

import console.store.legal_models
import console.store.records_models
import console.store.requests_models  # noqa: F401 - registers the request tables
from console.store import models

metadata = models.Base.metadata
