"""The pages of the main window, in navigation order ("module:Class"); areas add theirs here."""

PAGES = [
    "console.ui.pages.dashboard_page:DashboardPage",
    "console.ui.pages.my_work_page:MyWorkPage",
    "console.ui.pages.requests_page:RequestsPage",
    "console.ui.pages.records_page:RecordsPage",
    "console.ui.pages.sources_page:SourcesPage",
    "console.ui.pages.legal_page:LegalPage",
    "console.ui.pages.reports_page:ReportsPage",
    "console.ui.pages.audit_page:AuditPage",
    "console.ui.pages.policy_page:PolicyPage",
    "console.ui.pages.admin_page:AdminPage",
]
