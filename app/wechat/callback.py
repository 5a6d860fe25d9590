"""The callback's wire format: signatures, safe-mode crypto, safe XML parsing, reply rendering.

Everything WeChat-specific about reading a POST to /wechat/callback and writing its answer
lives here, so that handlers/ deals in plain dicts and reply values only.

- plain mode: `signature = sha1(sorted(token, timestamp, nonce))` (it does not cover the body);
- compatible and safe mode (`encrypt_type=aes`): `msg_signature = sha1(sorted(token, timestamp,
  nonce, Encrypt))` is what authenticates the message; only the decrypted Encrypt element is
  read (the plaintext copy that compatible mode adds is ignored);
- XML from the outside is parsed by expat with any DTD refused: without a DTD no entity can be
  declared, so there is no entity expansion and no external reference (what defusedxml's
  forbid_dtd does, without its pure-Python parser, which cost more than the rest of the request's
  XML work).
"""
import hashlib
import hmac
import secrets
import time
from xml.etree.ElementTree import TreeBuilder
from xml.parsers import expat

from wechatpy.crypto import PrpCrypto, WeChatCrypto


class FastPrpCrypto(PrpCrypto):
    """wechatpy's AES for messages; the 16 random leading bytes come from secrets.token_hex
    (wechatpy draws them one letter at a time with random.sample, which showed in profiles)."""

    def get_random_string(self):
        return secrets.token_hex(8)


class CallbackRejected(Exception):
    """The request is not a valid WeChat callback; `status` is the HTTP answer (4xx)."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sha1_signature(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode("utf-8")).hexdigest()


def signature_matches(expected, given):
    return hmac.compare_digest(expected, (given or "").lower())


def _refuse_dtd(*args):
    raise CallbackRejected(400, "not acceptable XML: a DTD")


def parse_xml(body):
    """bytes → {tag: text or nested dict} of the root's children. Raises CallbackRejected(400)."""
    builder = TreeBuilder()  # C, like expat: the parse runs no Python code unless refused
    parser = expat.ParserCreate()
    # The DOCTYPE handler stops the parse before any declaration is read; the other two
    # would only fire inside a DTD, and are there in case that ever changes.
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
        root = builder.close()
    except (expat.ExpatError, ValueError, UnicodeError) as exc:
        raise CallbackRejected(400, f"not acceptable XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise CallbackRejected(400, "root element is not <xml>")
    return _children(root)


# WeChat's messages nest three levels at most (SendPicsInfo > PicList > item); anything much
# deeper is not a message, and reading it recursively would end in RecursionError.
MAX_XML_DEPTH = 8


def _children(element, depth=1):
    if depth > MAX_XML_DEPTH:
        raise CallbackRejected(400, "not acceptable XML: nested too deeply")
    result = {}
    for child in element:
        result[child.tag] = _children(child, depth + 1) if len(child) else (child.text or "")
    return result


class CallbackCodec:
    """Built once per app: the token, and the AES key when safe mode is configured."""

    def __init__(self, token, appid, aes_key=""):
        self.token = token
        self.appid = appid
        self.safe = bool(aes_key)
        self._crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._prp = FastPrpCrypto(self._crypto.key) if aes_key else None

    def check_url_signature(self, signature, timestamp, nonce):
        if not signature_matches(sha1_signature(self.token, timestamp, nonce), signature):
            raise CallbackRejected(403, "bad signature")

    def read(self, args, body):
        """Authenticate and decode one POST → (message dict, encrypted?)."""
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not timestamp.isdigit() or not nonce or len(nonce) > 64:
            raise CallbackRejected(400, "timestamp and nonce required")
        self.check_url_signature(args.get("signature", ""), timestamp, nonce)
        envelope = parse_xml(body)
        if args.get("encrypt_type", "raw") == "aes":
            if not self.safe:
                raise CallbackRejected(400, "safe mode is not configured")
            encrypted = envelope.get("Encrypt")
            if not isinstance(encrypted, str) or not encrypted:
                raise CallbackRejected(400, "Encrypt element missing")
            expected = sha1_signature(self.token, timestamp, nonce, encrypted)
            if not signature_matches(expected, args.get("msg_signature", "")):
                raise CallbackRejected(403, "bad msg_signature")
            try:
                plain = self._prp.decrypt(encrypted, self.appid)
            except Exception as exc:  # bad base64, padding, length or AppID: all malformed
                raise CallbackRejected(400, f"cannot decrypt: {type(exc).__name__}") from None
            return parse_xml(plain.encode("utf-8")), True
        if self.safe:
            # With an EncodingAESKey configured WeChat always sends encrypt_type=aes; a plain
            # POST's signature would not cover its body, so it is not accepted.
            raise CallbackRejected(400, "safe mode requires encrypt_type=aes")
        return envelope, False

    def encrypt(self, reply_xml, nonce, timestamp=None):
        """The safe-mode reply envelope (wechatpy's format, with the cipher built once)."""
        timestamp = timestamp or str(int(time.time()))
        encrypted = self._prp.encrypt(reply_xml, self.appid).decode()
        signature = sha1_signature(self.token, timestamp, nonce, encrypted)
        return (f"<xml>\n<Encrypt><![CDATA[{encrypted}]]></Encrypt>\n"
                f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
                f"<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>")


def render_reply(reply, message):
    """A reply value of handlers/ → the XML WeChat expects ('' means no reply).

    reply: None (nothing to say), a str (text), or TRANSFER_TO_CUSTOMER_SERVICE. The XML is
    wechatpy's passive-reply format, written here with every value inside CDATA made safe: a
    reply may quote scanned text, and wechatpy's renderer leaves a "]]>" in it unescaped.
    """
    if reply is None:
        return ""
    head = (f"<xml>\n<ToUserName>{_cdata(message.get('FromUserName', ''))}</ToUserName>\n"
            f"<FromUserName>{_cdata(message.get('ToUserName', ''))}</FromUserName>\n"
            f"<CreateTime>{_reply_time(message)}</CreateTime>\n")
    if reply is TRANSFER_TO_CUSTOMER_SERVICE:
        return head + "<MsgType><![CDATA[transfer_customer_service]]></MsgType>\n</xml>"
    return head + f"<MsgType><![CDATA[text]]></MsgType>\n<Content>{_cdata(reply)}</Content>\n</xml>"


def _reply_time(message):
    # The message's own time: a repeated delivery then gets exactly the same reply.
    created = str(message.get("CreateTime", ""))
    return created if created.isdigit() else str(int(time.time()))


def _cdata(text):
    # "]]>" would end the section early: close it after "]]" and open another before ">".
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


TRANSFER_TO_CUSTOMER_SERVICE = object()
