"""Email behind one small interface, with the transport chosen by MAIL_PROVIDER.

    smtp      a mail relay over SMTP: STARTTLS (SMTP_SECURITY=starttls, port 587) or implicit
              TLS (ssl, port 465), with authentication (SMTP_USERNAME / SMTP_PASSWORD) and a
              timeout (SMTP_TIMEOUT_SECONDS); the relay's certificate is verified
    emulator  development and tests: posts to the emulator's /mail/send

Messages leave from the outbox's delivery job (app/notify/delivery.py), after the commit.
"""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import requests
from flask import current_app

from app.security.pii import redact_numbers


class EmailDeliveryError(Exception):
    """retry: whether trying again can help (a refused address or a refused login cannot)."""

    def __init__(self, message, retry=True):
        super().__init__(redact_numbers(message)[:200])
        self.retry = retry


class SmtpGateway:
    def __init__(self, config):
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.security = config["SMTP_SECURITY"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.sender = config["SMTP_FROM"]
        self.timeout = config["SMTP_TIMEOUT_SECONDS"]
        self.ca_file = config["SMTP_CA_FILE"] or None

    def _tls(self):
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self):
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=self._tls())
        elif self.security != "none":
            raise EmailDeliveryError(f"SMTP_SECURITY {self.security!r} unknown", retry=False)
        return smtp

    def send(self, to, subject, text):
        message = EmailMessage()
        message["From"] = formataddr(("i志愿", self.sender)) if self.sender else "i志愿"
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(text)
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise EmailDeliveryError(f"SMTP login refused: {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise EmailDeliveryError(f"recipient refused: {codes}", retry=any(c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            raise EmailDeliveryError(f"SMTP {exc.smtp_code}", retry=exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise EmailDeliveryError(f"SMTP: {type(exc).__name__}: {str(exc)[:80]}") from None
        return message["Message-ID"]


class EmulatorEmailGateway:
    def __init__(self, config):
        self.base_url = config["MAIL_EMULATOR_BASE"]
        self.timeout = config["SMTP_TIMEOUT_SECONDS"]

    def send(self, to, subject, text):
        try:
            response = requests.post(self.base_url + "/mail/send",
                                     json={"to": to, "subject": subject, "text": text}, timeout=self.timeout)
            response.raise_for_status()
            return response.json().get("msgid")
        except requests.RequestException as exc:
            raise EmailDeliveryError(f"mail: {type(exc).__name__}") from None


GATEWAYS = {"smtp": SmtpGateway, "emulator": EmulatorEmailGateway}


def get_email_gateway():
    config = current_app.config
    name = config["MAIL_PROVIDER"]
    if name not in GATEWAYS:
        raise RuntimeError(f"MAIL_PROVIDER must be one of {', '.join(GATEWAYS)}, not {name!r}")
    return GATEWAYS[name](config)
