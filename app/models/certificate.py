"""志愿服务记录证明: a certificate and the records it covers, as they were when it was issued."""
from app.extensions import db
from app.models.base import created_column, fk, id_column


class Certificate(db.Model):
    """The number is random (app/domain/certificates.py), never a sequence: it cannot be guessed or
    walked. Everything printed on the PDF is kept here, so the PDF can be made again at any time and
    still says what it said on the day of issue."""

    __tablename__ = "certificates"

    id = id_column()
    number = db.Column(db.String(40), nullable=False, unique=True)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    # As printed: the holder's name, masked ID number and volunteer number on the day of issue.
    holder_name = db.Column(db.String(64), nullable=False)
    id_number_masked = db.Column(db.String(40), nullable=True)
    volunteer_number = db.Column(db.String(20), nullable=False)
    period_start = db.Column(db.Date, nullable=True)  # None: from the first record
    period_end = db.Column(db.Date, nullable=True)  # None: up to the day of issue
    total_minutes = db.Column(db.BigInteger, nullable=False)
    record_count = db.Column(db.Integer, nullable=False)
    # Further sections (training, commendations…) from the providers registered in
    # app/services/certificates.py: [{"title", "lines": [...]}].
    sections = db.Column(db.JSON, nullable=False, default=list)
    issued_at = created_column()


class CertificateRecord(db.Model):
    """One covered record, copied at issue. A local record keeps its id (record_id) so that a later
    revocation or amendment shows; a transferred one keeps its transferred_record_id."""

    __tablename__ = "certificate_records"

    id = id_column()
    certificate_id = fk("certificates.id", nullable=False, index=True)
    record_id = fk("service_records.id", nullable=True, index=True)
    transferred_record_id = fk("transferred_records.id", nullable=True)
    activity_title = db.Column(db.String(120), nullable=False)
    org_name = db.Column(db.String(120), nullable=False)
    service_day = db.Column(db.Date, nullable=True)
    minutes = db.Column(db.Integer, nullable=False)
    origin = db.Column(db.String(60), nullable=True)  # the platform a transferred record came from
