"""Mail over SMTP, received by a real SMTP server the test starts (aiosmtpd): STARTTLS and
implicit TLS, authentication, the relay's certificate verified, timeouts."""
import datetime
import email
import email.policy
import ipaddress
import re
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.extensions import db
from app.models import OutboxMessage
from scripts.scratch import free_port
from tests.api.accounts_helpers import login

USER, PASSWORD = "izyz-mailer", "relay-password"
# aiosmtpd warns when AUTH does not wait for its own STARTTLS: on the implicit-TLS port it is TLS already.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and its file as the service's SMTP_CA_FILE."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": envelope.rcpt_tos, "auth": session.authenticated,
                              "tls": server.transport.get_extra_info("ssl_object") is not None,
                              "data": envelope.original_content})
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@pytest.fixture(params=["starttls", "ssl"])
def smtp_server(request, certificate):
    """A relay that wants TLS (STARTTLS on a plain port, or implicit TLS) and a login."""
    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox = Inbox()
    port = free_port()
    options = {"authenticator": authenticator, "auth_required": True}
    if request.param == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                                **options)
    else:
        # aiosmtpd offers AUTH only after its own STARTTLS unless told the socket is TLS already
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context,
                                server_hostname="127.0.0.1", auth_require_tls=False, **options)
    controller.start()
    yield request.param, port, inbox
    controller.stop()


def use_smtp(app, monkeypatch, security, port, ca_file, **extra):
    settings = {"MAIL_PROVIDER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": security,
                "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD, "SMTP_FROM": "noreply@izyz.test",
                "SMTP_TIMEOUT_SECONDS": 5, "SMTP_CA_FILE": ca_file, **extra}
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)


def ask_for_a_code(client, factories, address="li@example.org"):
    volunteer = factories.volunteer(factories.org())
    volunteer.account.email = address
    db.session.commit()
    asked = client.post("/api/v1/password-recovery/code", json={"account": address, "channel": "email"})
    assert asked.status_code == 202
    return volunteer


def mail_row():
    db.session.rollback()
    return db.session.execute(db.select(OutboxMessage).filter_by(channel="email")).scalar_one()


def test_a_recovery_mail_is_received_by_the_smtp_server(app, client, factories, run_jobs, monkeypatch,
                                                        smtp_server, certificate):
    security, port, inbox = smtp_server
    use_smtp(app, monkeypatch, security, port, certificate[0])
    ask_for_a_code(client, factories)
    run_jobs()
    assert len(inbox.messages) == 1, mail_row().last_error
    [mail] = inbox.messages
    assert mail["to"] == ["li@example.org"] and mail["auth"] and mail["tls"]
    message = email.message_from_bytes(mail["data"], policy=email.policy.default)
    assert "找回密码" in message["Subject"] and message["From"].addresses[0].addr_spec == "noreply@izyz.test"
    code = re.search(r"验证码为 (\d{6})", message.get_content()).group(1)
    row = mail_row()
    assert row.status == "sent" and row.secret_enc is None and "li@example.org" not in row.recipient
    reset = client.post("/api/v1/password-recovery/reset",
                        json={"account": "li@example.org", "channel": "email", "code": code,
                              "new_password": "BySmtp1234"})
    assert reset.status_code == 204
    assert login(client, "li@example.org", "BySmtp1234").status_code == 200


def test_a_wrong_login_or_an_unknown_certificate_is_retried_not_lost(app, client, factories, run_jobs,
                                                                     monkeypatch, smtp_server, certificate):
    security, port, inbox = smtp_server
    use_smtp(app, monkeypatch, security, port, certificate[0], SMTP_PASSWORD="wrong")
    ask_for_a_code(client, factories)
    run_jobs()
    row = mail_row()
    # refused with 535 (or the relay hangs up after the refusal): either way kept for a retry
    assert inbox.messages == [] and row.status == "failed" and "SMTP" in row.last_error
    assert row.secret_enc is not None  # the code waits, encrypted, for the retry
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", PASSWORD)
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", "")  # the relay's certificate is not trusted
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=None))
    db.session.commit()
    from app.notify.delivery import deliver_message

    deliver_message(row.id)
    row = mail_row()
    assert inbox.messages == [] and row.status == "failed" and "SSL" in row.last_error


def test_a_relay_that_never_answers_times_out(app, client, factories, run_jobs, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never greets
    port = silent.getsockname()[1]
    try:
        use_smtp(app, monkeypatch, "starttls", port, "", SMTP_TIMEOUT_SECONDS=1)
        ask_for_a_code(client, factories)
        run_jobs()
        row = mail_row()
        assert row.status == "failed" and "timed out" in row.last_error
    finally:
        silent.close()
