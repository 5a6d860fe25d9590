"""Plays WeChat's server in tests through the Flask test client: the same peer as
scripts/wechat_play.py (messages signed and encrypted as WeChat does, WECHAT.md)."""
from scripts.wechat_play import WechatPeer, sha1, xml_of  # noqa: F401  (re-exported for tests)

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them


class WechatServer(WechatPeer):
    def __init__(self, client, config, aes_key=None):
        super().__init__(config["WECHAT_TOKEN"], config["WECHAT_APPID"], aes_key)
        self.client = client

    def post(self, message, timestamp=None, nonce=None, compatible=False):
        query, body = self.envelope(message, timestamp, nonce, compatible)
        return self.client.post("/wechat/callback", query_string=query, data=body, content_type="text/xml")

    def reply(self, response):
        """The reply as a dict (decrypted and its signature checked in safe mode); {} for none."""
        assert response.status_code == 200, (response.status_code, response.data[:200])
        return self.read_reply(response.data)

    def say(self, message, **kwargs):
        return self.reply(self.post(message, **kwargs))
