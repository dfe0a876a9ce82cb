"""Privacy Ops Console: data-subject requests, records search, legal requests and audit-ready reports."""

__version__ = "0.1.0"
APP_NAME = "Privacy Ops Console"
