"""The pages of the main window, in navigation order ("module:Class"); areas add theirs here."""

PAGES = [
    "console.ui.pages.reports_page:ReportsPage",
    "console.ui.pages.audit_page:AuditPage",
    "console.ui.pages.policy_page:PolicyPage",
    "console.ui.pages.admin_page:AdminPage",
]
