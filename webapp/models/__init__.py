"""Typed SQLAlchemy models, one file per noun."""

from webapp.models.alerts import AlertEvent, AlertOverride, AlertState, NotificationPreference
from webapp.models.anomalies import SpendAnomaly
from webapp.models.api_client import ApiClient
from webapp.models.audit import AuditEvent
from webapp.models.collection import CollectionOutcome, CollectionRun, CollectionState
from webapp.models.mail import MailMessage
from webapp.models.organization import Organization
from webapp.models.read_model import OrganizationDailyFigure, OrganizationSummary, PortfolioChange
from webapp.models.snapshots import BalanceSnapshot, CostSnapshot
from webapp.models.user import LoginSession, User, user_organizations
from webapp.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AlertEvent",
    "AlertOverride",
    "AlertState",
    "ApiClient",
    "AuditEvent",
    "BalanceSnapshot",
    "CollectionOutcome",
    "CollectionRun",
    "CollectionState",
    "CostSnapshot",
    "LoginSession",
    "MailMessage",
    "NotificationPreference",
    "Organization",
    "OrganizationDailyFigure",
    "OrganizationSummary",
    "PortfolioChange",
    "SpendAnomaly",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "user_organizations",
]
