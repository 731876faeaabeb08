"""Requests per second under concurrent load (run by bench/run.py against a gunicorn it started).
Each thread logs in as the bench enterprise through the real login form, then, as fast as the
server answers, either submits the real request form (``--mode submit``: a submission is a POST
answered by the redirect to the new request's page; see ``submit``), or asks for the floor, a
logged-in view that reads one row (``--mode floor``)."""

import argparse
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def session():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    return opener, jar


def csrf_token(opener, url: str) -> str:
    html = opener.open(url, timeout=30).read().decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def post(opener, url: str, data: dict) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as error:  # 302 arrives here because redirects are not followed
        return error.code


def get(opener, url: str) -> int:
    try:
        response = opener.open(url, timeout=30)
        response.read()
        return response.status
    except urllib.error.HTTPError as error:
        return error.code


def submit(opener, jar, url: str, data: dict) -> int:
    """The POST of the form: 302 to the new request's page when it was saved. That page is a page
    view like any other (the pages are measured by bench/measure.py), so the client does not open
    it; it drops the flash message the page would have shown, so messages do not pile up in its
    cookie as they would for a client that never reads them."""
    status = post(opener, url, data)
    for cookie in [c for c in jar if c.name == "messages"]:
        jar.clear(cookie.domain, cookie.path, cookie.name)
    return status


def worker(base: str, username: str, password: str, seconds: float, barrier, counts, lock, n: int,
           mode: str = "submit") -> None:
    opener, jar = session()
    login = f"{base}/accounts/login/"
    status = post(opener, login, {"csrfmiddlewaretoken": csrf_token(opener, login),
                                  "username": username, "password": password})
    if status != 302:
        raise SystemExit(f"login as {username} answered {status}")
    form = f"{base}/requests/new/"
    token = csrf_token(opener, form)
    barrier.wait()
    ok = failed = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        i += 1
        if mode == "floor":
            status = get(opener, f"{base}/bench/floor/")
        else:
            status = submit(opener, jar, form, {
                "csrfmiddlewaretoken": token, "category": "policy", "urgency": "normal",
                "title": f"压测诉求 {n}-{i}", "description": "厂房消防验收需要协调，请管家帮忙对接。",
            })
            status = 200 if status == 302 else 400  # the form back (200) is an error, not a submission
        if status == 200:
            ok += 1
        else:
            failed += 1
    with lock:
        counts["ok"] += ok
        counts["failed"] += failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--username", default="scale-enterprise")
    parser.add_argument("--password", default="zonehub2026")
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", choices=["submit", "floor"], default="submit")
    args = parser.parse_args()
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(args.threads + 1)
    threads = [
        threading.Thread(target=worker, args=(args.base, args.username, args.password, args.seconds,
                                              barrier, counts, lock, n, args.mode))
        for n in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    result = {**counts, "mode": args.mode, "threads": args.threads, "seconds": elapsed,
              "rps": counts["ok"] / elapsed}
    what = "submission form (rps)" if args.mode == "submit" else "floor: logged-in one-row view"
    print(f"  {what:32} {result['rps']:8.1f} /s  ({counts['ok']} done, "
          f"{counts['failed']} failed, {args.threads} threads)", flush=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
