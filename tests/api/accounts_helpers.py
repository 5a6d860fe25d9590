"""Helpers for the accounts tests: codes read from what the emulator received, a registration."""
import itertools
import re
from datetime import date

from app.domain.idcard import make_id_number

_seq = itertools.count(100)


def error_code(response):
    return response.json["error"]["code"]


def last_code(emulator, *, phone=None, email=None):
    """The newest 6-digit code the emulator delivered to this phone (sms) or address (mail)."""
    for message in reversed(emulator.state.sent):
        if (phone and message.get("phone") == phone) or (email and message.get("to") == email):
            match = re.search(r"验证码为 (\d{6})", message["text"])
            if match:
                return match.group(1)
    raise AssertionError(f"no code sent to {phone or email}: {emulator.state.sent}")


def sms_to(emulator, phone):
    return [m["text"] for m in emulator.state.sent if m.get("channel") == "sms" and m.get("phone") == phone]


def new_identity(sequence=None, region="440104"):
    n = next(_seq)
    return {"id_number": make_id_number(region, date(1990 + n % 20, 1 + n % 12, 1 + n % 28),
                                        sequence if sequence is not None else n % 900 + 1),
            "phone": f"137{n:08d}"}


def registration_body(org, **overrides):
    identity = new_identity()
    body = {"password": "Secret123", "real_name": "李小明", "gender": "male", "id_type": "mainland_id",
            "id_number": identity["id_number"], "phone": identity["phone"], "sms_code": "000000",
            "email": None, "education": "本科", "home_org_id": org.id, "service_intentions": ["网络文明"],
            "agreed": True}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def request_code(client, phone, purpose="register", ip="127.0.0.1"):
    return client.post("/api/v1/verification-codes", json={"phone": phone, "purpose": purpose},
                       environ_base={"REMOTE_ADDR": ip})


def register(client, emulator, run_jobs, org, **overrides):
    """The whole registration through the API: ask for the code, read it, register."""
    body = registration_body(org, **overrides)
    assert request_code(client, body["phone"]).status_code == 202
    run_jobs()
    body["sms_code"] = last_code(emulator, phone=body["phone"])
    response = client.post("/api/v1/volunteers", json=body)
    return response, body


def login(client, account, password):
    return client.post("/api/v1/auth/login", json={"account": account, "password": password})


def bearer(response):
    return {"Authorization": f"Bearer {response.json['token']}"}
