"""ORM tables, one module per aggregate. Importing this package registers them all."""
from app.models.account import Account, AuthSession, HomeOrgChange, Volunteer, WechatIdentity
from app.models.activity import Activity, Enrollment, Invitation, Position, Shift
from app.models.audit import AuditLog
from app.models.card import CardApplication
from app.models.certificate import Certificate, CertificateRecord
from app.models.community import Commendation, Comment, Complaint, Training, TrainingCompletion
from app.models.hours import ClockEvent, Objection, ServiceRecord, SupplementEntry
from app.models.inbox import InboxMessage
from app.models.notify import OutboxMessage, SubscribeConsent
from app.models.organisation import OrgAdmin, Organisation, OrgMembership
from app.models.report import ReportRefresh, ReportRollup
from app.models.transfer import RecordTransfer, TransferredRecord

__all__ = [
    "TransferredRecord",
    "ReportRollup",
    "ReportRefresh",
    "RecordTransfer",
    "InboxMessage",
    "CertificateRecord",
    "Certificate",
    "Account",
    "Activity",
    "AuditLog",
    "AuthSession",
    "CardApplication",
    "ClockEvent",
    "Comment",
    "Commendation",
    "Complaint",
    "Enrollment",
    "HomeOrgChange",
    "Invitation",
    "Objection",
    "OrgAdmin",
    "OrgMembership",
    "Organisation",
    "OutboxMessage",
    "SubscribeConsent",
    "Position",
    "ServiceRecord",
    "Shift",
    "SupplementEntry",
    "Training",
    "TrainingCompletion",
    "Volunteer",
    "WechatIdentity",
]
