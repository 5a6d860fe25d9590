"""Bulk import from .csv / .xlsx: bad rows reported by line, good rows imported together, and
imported accounts set their own password with an SMS code before they can log in."""
from datetime import date

from openpyxl import Workbook

from app.domain.idcard import make_id_number
from app.extensions import db
from app.models import Account, AuditLog, Organisation, Volunteer
from tests.api.accounts_helpers import error_code, last_code, login

HEADER = ["姓名", "性别", "证件类型", "证件号码", "手机号码", "邮箱", "最高学历"]


def good_id(n):
    return make_id_number("440104", date(2004, 1 + n % 12, 1 + n % 28), 100 + n)


def rows(existing_phone):
    return [
        HEADER,
        ["张一", "男", "居民身份证", good_id(1), "13800001001", "zhang1@school.edu.cn", "本科"],  # line 2
        ["张二", "女", "", good_id(2), "13800001002", "", "高中"],  # line 3
        ["", "女", "", good_id(3), "13800001003", "", ""],  # line 4: no name
        ["张四", "男", "", "440104200401011230", "13800001004", "", ""],  # line 5: bad ID (check digit?)
        ["张五", "未知", "", good_id(5), "138", "", "幼儿园"],  # line 6: gender, phone, education
        ["张六", "男", "", good_id(1), "13800001006", "", ""],  # line 7: same ID as line 2
        ["张七", "女", "", good_id(7), existing_phone, "", ""],  # line 8: phone already registered
        ["", "", "", "", "", "", ""],  # blank trailing line: ignored
        ["张九", "女", "护照", "E12345678", "13800001009", "", "硕士"],  # line 10: other ID type
    ]


def write_csv(path, table):
    import csv

    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(table)
    return path


def write_xlsx(path, table):
    workbook = Workbook()
    for row in table:
        workbook.active.append(row)
    workbook.save(path)
    return path


def fix_bad_id(table):
    # make line 5's number certainly wrong in its check digit
    from app.domain.idcard import check_char

    number = table[4][3]
    right = check_char(number[:17])
    table[4][3] = number[:17] + ("1" if right != "1" else "2")
    return table


def test_cli_import_of_a_csv_reports_bad_lines_and_imports_the_good_ones(app, factories, tmp_path):
    org = factories.org()
    existing = factories.volunteer(org)
    before = db.session.get(Organisation, org.id).volunteer_count
    path = write_csv(tmp_path / "students.csv", fix_bad_id(rows(existing.account.phone)))
    result = app.test_cli_runner().invoke(args=["import-volunteers", str(path), "--org", str(org.id)])
    assert result.exit_code == 1, result.output
    assert "imported 3, bad rows 5" in result.stdout
    for line in (4, 5, 6, 7, 8):
        assert f"第 {line} 行" in result.stderr
    assert "第 6 行: 性别应为 男 或 女；手机号码格式不正确；最高学历不在可选范围内" in result.stderr
    assert "第 8 行: 手机号已注册" in result.stderr

    db.session.expire_all()
    imported = (
        db.session.execute(db.select(Account).where(Account.real_name.in_(["张一", "张二", "张九"]))).scalars().all()
    )
    assert len(imported) == 3
    assert all(a.must_change_password and not a.password_hash.startswith("$argon2") for a in imported)
    assert {a.volunteer.review_status for a in imported} == {"approved"}
    assert db.session.get(Organisation, org.id).volunteer_count == before + 3
    assert db.session.execute(db.select(AuditLog).filter_by(action="volunteer.import")).scalar_one().detail == {
        "imported": 3,
        "bad_rows": [4, 5, 6, 7, 8],
    }


def test_xlsx_import_then_first_login_sets_a_password_by_sms(app, client, factories, emulator, run_jobs, tmp_path):
    org = factories.org()
    table = [HEADER, ["李同学", "女", "", good_id(11), "13800002001", "", "本科"]]
    path = write_xlsx(tmp_path / "class.xlsx", table)
    result = app.test_cli_runner().invoke(args=["import-volunteers", str(path), "--org", str(org.id)])
    assert result.exit_code == 0, result.output
    run_jobs()  # identity checks
    account = db.session.execute(db.select(Account).filter_by(real_name="李同学")).scalar_one()
    assert account.volunteer.identity_check_status == "passed"

    for password in ("000000", "Anything1"):  # no default password
        refused = login(client, "13800002001", password)
        assert refused.status_code == 403 and error_code(refused) == "PASSWORD_NOT_SET"
    asked = client.post("/api/v1/password-recovery/code", json={"account": "13800002001"})
    assert asked.status_code == 202
    run_jobs()
    code = last_code(emulator, phone="13800002001")
    assert (
        client.post(
            "/api/v1/password-recovery/reset",
            json={"account": "13800002001", "code": code, "new_password": "MyFirst123"},
        ).status_code
        == 204
    )
    session = login(client, "13800002001", "MyFirst123")
    assert session.status_code == 200 and session.json["restriction"] is None


def test_an_unreadable_file_or_missing_column_is_a_clear_error(app, factories, tmp_path):
    org = factories.org()
    runner = app.test_cli_runner()
    wrong_type = tmp_path / "list.txt"
    wrong_type.write_text("x")
    result = runner.invoke(args=["import-volunteers", str(wrong_type), "--org", str(org.id)])
    assert result.exit_code != 0 and "只支持 .xlsx 和 .csv" in result.output
    no_phone = write_csv(tmp_path / "no_phone.csv", [["姓名", "性别", "证件号码"], ["a", "男", good_id(1)]])
    result = runner.invoke(args=["import-volunteers", str(no_phone), "--org", str(org.id)])
    assert result.exit_code != 0 and "缺少列" in result.output and "phone" in result.output
    assert db.session.execute(db.select(Volunteer)).first() is None


def test_an_actor_is_checked_against_the_organisation(app, factories, tmp_path):
    org, other = factories.org(), factories.org()
    outsider = factories.admin(other)
    path = write_csv(tmp_path / "a.csv", [HEADER, ["王", "男", "", good_id(21), "13800003001", "", ""]])
    result = app.test_cli_runner().invoke(
        args=["import-volunteers", str(path), "--org", str(org.id), "--actor", outsider.username]
    )
    assert result.exit_code != 0 and "NOT_FOUND" in result.output
    insider = factories.admin(org)
    result = app.test_cli_runner().invoke(
        args=["import-volunteers", str(path), "--org", str(org.id), "--actor", insider.username]
    )
    assert result.exit_code == 0, result.output
