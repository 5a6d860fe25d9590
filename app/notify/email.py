"""Email behind one small interface, like SMS (app/notify/sms.py).

The development gateway posts to the emulator's /mail/send, where tests read the messages;
production plugs in its SMTP relay or mail API. Messages leave from a job, after the commit.
"""
import requests
from flask import current_app


class EmailDeliveryError(Exception):
    pass


class EmulatorEmailGateway:
    def __init__(self, base_url):
        self.base_url = base_url

    def send(self, to, subject, text):
        try:
            response = requests.post(self.base_url + "/mail/send",
                                     json={"to": to, "subject": subject, "text": text}, timeout=5)
            response.raise_for_status()
            return response.json().get("msgid")
        except requests.RequestException as exc:
            raise EmailDeliveryError(f"mail: {exc}") from exc


def get_email_gateway():
    config = current_app.config
    return EmulatorEmailGateway(config.get("MAIL_API_BASE") or config["SMS_API_BASE"])


def deliver_email(to, subject, text):
    """The job: one message; RQ records a failure for a retry by hand."""
    return get_email_gateway().send(to, subject, text)
