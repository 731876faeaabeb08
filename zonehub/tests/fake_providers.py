"""Fake provider servers for the channel tests: WeCom, DingTalk and Tencent Cloud SMS, each an HTTP
server in a thread on 127.0.0.1 that checks what it is sent as the provider does and answers in
the provider's own shapes, errors included.

- ``WeComFake``: group robot webhooks (``/cgi-bin/webhook/send?key=``: an unknown key is 93000),
  ``/cgi-bin/gettoken`` (a wrong corp id or secret is 40013 / 40001) and
  ``/cgi-bin/message/send`` (an unknown or expired token is 40014 / 42001, an unknown user 81013).
- ``DingTalkFake``: ``/robot/send`` with the signed URL, the signature recomputed here from the
  robot's secret (310000 "sign not match"), the timestamp within the hour, the token known.
- ``TencentSmsFake``: the API 3.0 endpoint the SDK posts to, with its TC3-HMAC-SHA256 signature
  recomputed here from the secret key (AuthFailure.SignatureFailure), the application, signature
  and template checked, the template's parameters counted and measured, and a per-number limit.

``answer_next(...)`` queues canned answers (the providers' real error shapes are the class
constants) or ``HANG`` (no answer until the test ends: a timeout); every request is in ``calls``.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HANG = "hang"


class Call:
    def __init__(self, method: str, path: str, query: dict, headers: dict, raw: bytes):
        self.method, self.path, self.query, self.headers, self.raw = method, path, query, headers, raw
        try:
            self.json = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self.json = None

    def q(self, name: str) -> str:
        return (self.query.get(name) or [""])[0]


class FakeServer:
    """A provider on 127.0.0.1:<free port>. Subclasses answer in ``handle``."""

    content_type = "application/json"

    def __init__(self):
        self.calls: list[Call] = []
        self.queue: collections.deque = collections.deque()
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                call = Call(self.command, split.path, parse_qs(split.query), {k.lower(): v for k, v in self.headers.items()},
                            raw)
                with fake.lock:
                    fake.calls.append(call)
                    canned = fake.queue.popleft() if fake.queue else None
                if canned == HANG:
                    fake.release.wait(30)
                    return
                status, answer = (200, canned) if canned is not None else fake.handle(call)
                body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", fake.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer_next(self, *answers) -> None:
        """The next requests get these answers (a dict, or HANG), before any check."""
        with self.lock:
            self.queue.extend(answers)

    def handle(self, call: Call) -> tuple[int, dict]:  # pragma: no cover - each fake answers
        raise NotImplementedError

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]


# --- WeCom ------------------------------------------------------------------------------------


class WeComFake(FakeServer):
    CORP_ID, SECRET, AGENT_ID = "ww0123456789abcdef", "app-secret-for-tests", 1000002
    RATE_LIMITED = {"errcode": 45009, "errmsg": "api freq out of limit, hint: [1733371200_11_9f2d], "
                    "from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=45009"}
    BUSY = {"errcode": -1, "errmsg": "system busy, hint: [1733371200_12_1a2b]"}
    EXPIRED_TOKEN = {"errcode": 42001, "errmsg": "access_token expired, hint: [1733371200_13_3c4d], "
                     "more info at https://open.work.weixin.qq.com/devtool/query?e=42001"}

    def __init__(self, *, robot_keys=("robot-key-a",), users=("zhangsan",)):
        super().__init__()
        self.robot_keys, self.users = set(robot_keys), set(users)
        self.tokens: set[str] = set()

    @staticmethod
    def error(code: int, message: str) -> dict:
        return {"errcode": code, "errmsg": f"{message}, hint: [{int(time.time())}_{uuid.uuid4().hex[:4]}], "
                f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}"}

    def _text_ok(self, call: Call) -> dict | None:
        data = call.json or {}
        if data.get("msgtype") != "text":
            return self.error(40008, "invalid message type")
        content = (data.get("text") or {}).get("content", "")
        if not content:
            return self.error(44004, "empty content")
        if len(content.encode("utf-8")) > 2048:
            return self.error(45002, "content size out of limit")
        return None

    def handle(self, call: Call):
        if call.path == "/cgi-bin/webhook/send" and call.method == "POST":
            if call.q("key") not in self.robot_keys:
                return 200, self.error(93000, "invalid webhook url")
            return 200, self._text_ok(call) or {"errcode": 0, "errmsg": "ok"}
        if call.path == "/cgi-bin/gettoken":
            if call.q("corpid") != self.CORP_ID:
                return 200, self.error(40013, "invalid corpid")
            if call.q("corpsecret") != self.SECRET:
                return 200, self.error(40001, "invalid credential")
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if call.path == "/cgi-bin/message/send" and call.method == "POST":
            if call.q("access_token") not in self.tokens:
                return 200, self.error(40014, "invalid access_token")
            data = call.json or {}
            if data.get("agentid") != self.AGENT_ID:
                return 200, self.error(40056, "invalid agentid")
            bad = self._text_ok(call)
            if bad:
                return 200, bad
            users = [u for u in str(data.get("touser", "")).split("|") if u]
            if not users or not set(users) & self.users:
                return 200, self.error(81013, "user & party & tag all invalid")
            invalid = "|".join(u for u in users if u not in self.users)
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": invalid, "msgid": uuid.uuid4().hex}
        return 404, {"errcode": 404, "errmsg": "not found"}

    def expire_tokens(self) -> None:
        self.tokens.clear()


# --- DingTalk ---------------------------------------------------------------------------------


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """The signature as DingTalk computes it (base64 of the HMAC-SHA256), before URL encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkFake(FakeServer):
    SIGN_MISMATCH = {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
    TOO_FAST = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}

    def __init__(self, *, robots: dict[str, str] | None = None):
        super().__init__()
        self.robots = robots or {"ding-token-a": "SECdingsecret0123456789"}

    def handle(self, call: Call):
        if call.path != "/robot/send" or call.method != "POST":
            return 404, {"errcode": 404, "errmsg": "not found"}
        secret = self.robots.get(call.q("access_token"))
        if secret is None:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = call.q("timestamp")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return 200, {"errcode": 310000, "errmsg": "invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
        # parse_qs has already decoded the URL encoding: what is left is the base64 signature.
        if not hmac.compare_digest(call.q("sign"), dingtalk_sign(timestamp, secret)):
            return 200, self.SIGN_MISMATCH
        data = call.json or {}
        if data.get("msgtype") != "text" or not (data.get("text") or {}).get("content"):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        return 200, {"errcode": 0, "errmsg": "ok"}


# --- Tencent Cloud SMS ------------------------------------------------------------------------


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    signing = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class TencentSmsFake(FakeServer):
    SECRET_ID, SECRET_KEY = "AKIDfake0123456789", "fake-secret-key-for-tests"
    APP_ID, SIGN_NAME = "1400006666", "高新区管委会"
    # Template id -> number of parameters ({1}…); each parameter at most PARAM_MAX characters.
    TEMPLATES = {"2001": 1, "2002": 2}
    PARAM_MAX = 20

    def __init__(self, *, per_number_limit: int = 100):
        super().__init__()
        self.per_number_limit = per_number_limit
        self.sent: list[tuple[str, str, list[str]]] = []  # (phone, template id, params)
        self._recent: dict[str, list[float]] = collections.defaultdict(list)

    @staticmethod
    def error(code: str, message: str) -> dict:
        return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}}

    @classmethod
    def status(cls, phone: str, code: str, message: str) -> dict:
        return {"Response": {"SendStatusSet": [{
            "SerialNo": uuid.uuid4().hex if code == "Ok" else "", "PhoneNumber": phone, "Fee": 1 if code == "Ok" else 0,
            "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN",
        }], "RequestId": str(uuid.uuid4())}}

    def thirty_second_limit(self, phone: str) -> dict:
        return self.status(phone, "LimitExceeded.PhoneNumberThirtySecondLimit",
                           "the number of sms messages sent from a single mobile number within 30 seconds exceeds "
                           "the upper limit")

    def _signature_ok(self, call: Call) -> bool:
        auth = call.headers.get("authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            parts = dict(p.strip().split("=", 1) for p in rest.split(","))
            secret_id, date, service, _term = parts["Credential"].split("/")
        except ValueError:
            return False
        if algorithm != "TC3-HMAC-SHA256" or secret_id != self.SECRET_ID or parts.get("SignedHeaders") != "content-type;host":
            return False
        canonical = "\n".join([
            call.method, "/", "", f"content-type:{call.headers.get('content-type')}\nhost:{call.headers.get('host')}\n",
            "content-type;host", hashlib.sha256(call.raw).hexdigest(),
        ])
        string_to_sign = "\n".join([
            algorithm, call.headers.get("x-tc-timestamp", ""), f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        ])
        return hmac.compare_digest(parts.get("Signature", ""), tc3_signature(self.SECRET_KEY, date, service, string_to_sign))

    def handle(self, call: Call):
        if call.method != "POST" or call.path != "/":
            return 404, self.error("InvalidAction", "not found")
        if call.headers.get("x-tc-action") != "SendSms" or call.headers.get("x-tc-version") != "2021-01-11":
            return 200, self.error("InvalidAction", "The action requested is invalid for this version.")
        if not self._signature_ok(call):
            return 200, self.error("AuthFailure.SignatureFailure", "The provided credentials could not be validated. "
                                   "Please check your signature is correct.")
        if abs(time.time() - int(call.headers.get("x-tc-timestamp", "0"))) > 300:
            return 200, self.error("AuthFailure.SignatureExpire", "Signature expired.")
        data = call.json or {}
        if data.get("SmsSdkAppId") != self.APP_ID:
            return 200, self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verify failed.")
        if data.get("SignName") != self.SIGN_NAME:
            return 200, self.error("FailedOperation.SignatureIncorrectOrUnapproved",
                                   "signature is not approved or signature format is incorrect.")
        template = data.get("TemplateId")
        if template not in self.TEMPLATES:
            return 200, self.error("FailedOperation.TemplateIncorrectOrUnapproved",
                                   "template is not approved or request content does not match the approved template content.")
        params = data.get("TemplateParamSet") or []
        if len(params) != self.TEMPLATES[template]:
            return 200, self.error("InvalidParameterValue.TemplateParameterFormatError",
                                   "the number of template parameters does not match the template.")
        if any(len(p) > self.PARAM_MAX for p in params):
            return 200, self.error("InvalidParameterValue.TemplateParameterLengthLimit",
                                   f"a template parameter is longer than {self.PARAM_MAX} characters.")
        phones = data.get("PhoneNumberSet") or []
        if len(phones) != 1 or not phones[0].startswith("+861") or len(phones[0]) != 14:
            return 200, self.status(phones[0] if phones else "", "InvalidParameterValue.IncorrectPhoneNumber",
                                    "incorrect number format")
        phone = phones[0]
        now = time.time()
        self._recent[phone] = [t for t in self._recent[phone] if now - t < 30]
        if len(self._recent[phone]) >= self.per_number_limit:
            return 200, self.thirty_second_limit(phone)
        self._recent[phone].append(now)
        self.sent.append((phone, template, params))
        return 200, self.status(phone, "Ok", "send success")
