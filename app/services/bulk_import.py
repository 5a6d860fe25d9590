"""Bulk import of volunteers from a school's or unit's spreadsheet (.xlsx or .csv).

Every row is validated; bad rows are reported with their line numbers; the good rows are
imported together in one transaction. Imported accounts have no password at all (not a
default one like the old system's 000000): the first login answers PASSWORD_NOT_SET and the
volunteer sets a password with an SMS code (忘记密码), after which they log in normally.
"""
import csv
from dataclasses import dataclass, field
from pathlib import Path

from app.domain import registration as rules
from app.domain.numbers import new_volunteer_number
from app.errors import DomainError
from app.extensions import db, jobs
from app.models import Account, Organisation, Volunteer
from app.security import pii
from app.services import authz
from app.services.account_security import unusable_password_hash
from app.services.identity_check import run_identity_check
from app.services.unit_of_work import after_commit, use_case
from app.timeutil import utcnow

# Accepted headers (Chinese as in the spreadsheets schools keep, or English) → field.
HEADERS = {
    "姓名": "real_name", "real_name": "real_name",
    "性别": "gender", "gender": "gender",
    "证件类型": "id_type", "id_type": "id_type",
    "证件号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "id_number": "id_number",
    "手机号码": "phone", "手机号": "phone", "phone": "phone",
    "邮箱": "email", "email": "email",
    "最高学历": "education", "学历": "education", "education": "education",
}
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female"}
ID_TYPES = {label: key for key, label in rules.ID_TYPE_LABELS.items()} | {k: k for k in rules.ID_TYPES} | {
    "身份证": "mainland_id", "": "mainland_id"}
REQUIRED = ("real_name", "gender", "id_number", "phone")
MESSAGES = {
    "MISSING": "缺少必填项",
    "GENDER": "性别应为 男 或 女",
    "ID_TYPE_INVALID": "证件类型不受支持",
    "ID_FORMAT": "证件号码格式不正确",
    "ID_BIRTH_DATE": "身份证号出生日期无效",
    "ID_CHECK_DIGIT": "身份证号校验位不正确",
    "PHONE_FORMAT": "手机号码格式不正确",
    "EMAIL_FORMAT": "邮箱格式不正确",
    "EDUCATION": "最高学历不在可选范围内",
    "DUPLICATE_IN_FILE": "与文件中前面的行重复",
    "ID_NUMBER_EXISTS": "证件号码已注册",
    "PHONE_EXISTS": "手机号已注册",
    "EMAIL_EXISTS": "邮箱已注册",
}


class ImportFileError(ValueError):
    pass


@dataclass
class ImportReport:
    imported: int = 0
    bad_rows: list = field(default_factory=list)  # (line number, [messages])

    @property
    def ok(self):
        return not self.bad_rows


def read_rows(path):
    """(line number, {field: text}) for every data row; line 1 is the header."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    elif suffix == ".xlsx":
        # Imported here, not at the top: openpyxl is heavy (about 0.3 s) and only this
        # command-line import of a spreadsheet needs it, never a web or worker process.
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            table = [["" if v is None else str(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
        finally:
            workbook.close()
    else:
        raise ImportFileError("只支持 .xlsx 和 .csv 文件")
    if not table:
        raise ImportFileError("文件是空的")
    columns = [HEADERS.get(str(h).strip()) for h in table[0]]
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ImportFileError("缺少列：" + "、".join(missing))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue  # blank lines at the end of a sheet
        row = {col: str(v).strip() for col, v in zip(columns, values, strict=False) if col}
        rows.append((number, row))
    return rows


def validate_row(row):
    """(clean values, []) or (None, [problem codes])."""
    problems = []
    clean = {}
    if any(not row.get(f) for f in REQUIRED):
        problems.append("MISSING")
    clean["real_name"] = row.get("real_name", "")
    gender = GENDERS.get(row.get("gender", "").lower())
    if row.get("gender") and gender is None:
        problems.append("GENDER")
    clean["gender"] = gender
    id_type = ID_TYPES.get(row.get("id_type", ""))
    if id_type is None:
        problems.append("ID_TYPE_INVALID")
    elif row.get("id_number"):
        try:
            clean["id_number"] = rules.normalise_id(id_type, row["id_number"])
        except DomainError as refused:  # FieldProblem, or InvalidIdNumber for a mainland ID
            problems.append(refused.code)
    clean["id_type"] = id_type
    if row.get("phone"):
        try:
            clean["phone"] = rules.normalise_phone(row["phone"])
        except DomainError as refused:
            problems.append(refused.code)
    email = row.get("email", "").lower() or None
    if email and ("@" not in email or len(email) > 254):
        problems.append("EMAIL_FORMAT")
    clean["email"] = email
    education = row.get("education") or None
    if education and education not in rules.EDUCATION_LEVELS:
        problems.append("EDUCATION")
    clean["education"] = education
    return (None, problems) if problems else (clean, [])


@use_case
def import_volunteers(rows, org_id, *, actor=None):
    """Validates every row and imports the good ones in one transaction. Returns an ImportReport."""
    org = db.session.get(Organisation, org_id)
    if org is None or org.status != "approved":
        raise ImportFileError(f"组织 {org_id} 不存在或未通过审核")
    if actor is not None:
        authz.require_org(actor, org.id)
    report = ImportReport()
    good = []
    seen = {"id": set(), "phone": set(), "email": set()}
    for line, row in rows:
        clean, problems = validate_row(row)
        if clean is not None:
            keys = {"id": clean["id_number"], "phone": clean["phone"], "email": clean["email"]}
            if any(value and value in seen[kind] for kind, value in keys.items()):
                problems = ["DUPLICATE_IN_FILE"]
            for kind, value in keys.items():
                if value:
                    seen[kind].add(value)
        if problems:
            report.bad_rows.append((line, [MESSAGES[p] for p in problems]))
        else:
            good.append((line, clean))

    existing = _existing(good)
    now = utcnow()
    imported = []
    for line, clean in good:
        taken = [
            code
            for code, kind, value in (
                ("ID_NUMBER_EXISTS", "id", clean["id_number"]),
                ("PHONE_EXISTS", "phone", clean["phone"]),
                ("EMAIL_EXISTS", "email", clean["email"]),
            )
            if value and _lookup(kind, value) in existing[kind]
        ]
        if taken:
            report.bad_rows.append((line, [MESSAGES[c] for c in taken]))
            continue
        account = Account(
            real_name=clean["real_name"],
            gender=clean["gender"],
            id_type=clean["id_type"],
            email=clean["email"],
            password_hash=unusable_password_hash(),
            must_change_password=True,
        )
        account.id_number = clean["id_number"]
        account.phone = clean["phone"]
        db.session.add(account)
        imported.append((account, clean))
    report.bad_rows.sort()
    if not imported:
        return report
    db.session.flush()
    numbers = _volunteer_numbers(len(imported))
    volunteers = []
    for (account, clean), number in zip(imported, numbers, strict=True):
        volunteer = Volunteer(
            account_id=account.id,
            volunteer_number=number,
            home_org_id=org.id,
            review_status="approved",
            reviewed_at=now,
            reviewed_by=actor.id if actor else None,
            identity_check_status="requested",
            identity_check_requested_at=now,
            education=clean["education"],
            service_intentions=[],
        )
        db.session.add(volunteer)
        volunteers.append(volunteer)
    db.session.flush()  # their ids, for the identity-check jobs
    db.session.execute(
        db.update(Organisation)
        .where(Organisation.id == org.id)
        .values(volunteer_count=Organisation.volunteer_count + len(volunteers))
    )
    authz.audit(
        actor,
        "volunteer.import",
        org_id=org.id,
        target_type="organisation",
        target_id=org.id,
        detail={"imported": len(volunteers), "bad_rows": [line for line, _ in report.bad_rows]},
    )
    for volunteer in volunteers:
        after_commit(jobs.enqueue, run_identity_check, volunteer.id)
    report.imported = len(volunteers)
    return report


def _lookup(kind, value):
    return value if kind == "email" else pii.lookup_hash(kind, value)


def _existing(good):
    """The hashes / addresses of the file that are already registered, in three queries per 500 rows."""
    found = {"id": set(), "phone": set(), "email": set()}
    columns = {"id": Account.id_number_hash, "phone": Account.phone_hash, "email": Account.email}
    for kind, column in columns.items():
        values = [
            _lookup(kind, clean[{"id": "id_number"}.get(kind, kind)])
            for _, clean in good
            if clean[{"id": "id_number"}.get(kind, kind)]
        ]
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            found[kind].update(db.session.execute(db.select(column).where(column.in_(chunk))).scalars())
    return found


def _volunteer_numbers(count):
    numbers = set()
    while len(numbers) < count:
        candidates = {new_volunteer_number() for _ in range(count - len(numbers))} - numbers
        taken = set(
            db.session.execute(
                db.select(Volunteer.volunteer_number).where(Volunteer.volunteer_number.in_(candidates))
            ).scalars()
        )
        numbers |= candidates - taken
    return sorted(numbers)
