"""SMS behind one small interface. The development gateway posts to the emulator's SMS
endpoint over HTTP, so that tests read the codes there; production plugs in a provider."""
import requests
from flask import current_app

from app.security import pii
from app.wechat.gateway import WechatApiError


class EmulatorSmsGateway:
    def __init__(self, base_url):
        self.base_url = base_url

    def send(self, phone_enc, text):
        """phone_enc: the encrypted number as stored; decrypted only here, at the edge."""
        try:
            response = requests.post(self.base_url + "/sms/send",
                                     json={"phone": pii.decrypt(phone_enc), "text": text}, timeout=5)
            response.raise_for_status()
            return response.json().get("msgid")
        except requests.RequestException as exc:
            raise WechatApiError(None, f"sms: {exc}") from exc


def get_sms_gateway():
    return EmulatorSmsGateway(current_app.config["SMS_API_BASE"])
