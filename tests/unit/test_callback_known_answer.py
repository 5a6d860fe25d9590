"""The callback codec against WeChat's own sample, not only against our test peer.

The test peer (tests/handlers/wechat_sim.py) encrypts with the same wechatpy routine the service
decrypts with, so a mistake shared by both would pass unseen. These values are the sample of
WeChat's 消息加解密 documentation (the WXBizMsgCrypt demo for service accounts): the AppID, Token
and EncodingAESKey, a message WeChat encrypted with them, and its msg_signature.
"""
import pytest

from app.wechat.callback import CallbackCodec, CallbackRejected, sha1_signature

TOKEN = "spamtest"
APPID = "wx2c2769f8efd9abc2"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TIMESTAMP = "1409735669"
NONCE = "1320562132"
MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFm"
    "OD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8d"
    "KOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5"
    "RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNP"
    "fUM669WuMyVWQLCzpu9GhglF2PE="
)
BODY = (f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>").encode()


def _args(**changes):
    args = {"timestamp": TIMESTAMP, "nonce": NONCE, "encrypt_type": "aes", "msg_signature": MSG_SIGNATURE,
            # The URL signature is sha1 over (token, timestamp, nonce) only; WeChat sends it beside
            # msg_signature (the sample gives only the latter).
            "signature": sha1_signature(TOKEN, TIMESTAMP, NONCE)}
    args.update(changes)
    return args


def test_wechats_documented_sample_decrypts_to_its_message():
    message, encrypted = CallbackCodec(TOKEN, APPID, AES_KEY).read(_args(), BODY)
    assert encrypted is True
    assert message == {
        "ToUserName": "gh_10f6c3c3ac5a",
        "FromUserName": "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "CreateTime": "1409735668",
        "MsgType": "text",
        "Content": "abcdteT",
        "MsgId": "6054768590064713728",
    }


def test_the_samples_msg_signature_is_what_we_compute():
    assert sha1_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT) == MSG_SIGNATURE


def test_the_sample_is_refused_with_another_signature_or_appid():
    with pytest.raises(CallbackRejected) as refused:
        CallbackCodec(TOKEN, APPID, AES_KEY).read(_args(msg_signature="0" * 40), BODY)
    assert refused.value.status == 403
    with pytest.raises(CallbackRejected) as refused:  # the AppID inside the ciphertext is checked
        CallbackCodec(TOKEN, "wx0000000000000000", AES_KEY).read(_args(), BODY)
    assert refused.value.status == 400


def test_our_reply_envelope_reads_back_with_the_samples_keys():
    codec = CallbackCodec(TOKEN, APPID, AES_KEY)
    envelope = codec.encrypt("<xml><Content><![CDATA[你好]]></Content></xml>", NONCE, timestamp=TIMESTAMP)
    encrypted = envelope.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
    signature = sha1_signature(TOKEN, TIMESTAMP, NONCE, encrypted)
    assert f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>" in envelope
    assert codec.read(_args(msg_signature=signature), envelope.encode()) == ({"Content": "你好"}, True)
