"""Plays WeChat's server in tests through the Flask test client: the same peer as
scripts/wechat_play.py (messages signed and encrypted as WeChat does, WECHAT.md)."""
import threading

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

    def say_in_parallel(self, message, count, nonce_prefix):
        """WeChat's retries of one message all at once (new nonces, as after a timeout), each
        on a client of its own; returns every delivery's reply."""
        app = self.client.application
        answers, barrier = [], threading.Barrier(count)

        def deliver(i):
            server = WechatServer(app.test_client(), app.config, aes_key=self.aes_key)
            barrier.wait()
            answers.append(server.say(message, nonce=f"{nonce_prefix}-{i}"))

        threads = [threading.Thread(target=deliver, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answers
