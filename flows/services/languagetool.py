"""The grammar stage: LanguageTool servers, the per-paragraph cache, bounded parallel requests.

When a review has paragraphs to check it uses the user's LanguageTool service (flows.services.lt_service: started
in the background by the first review that needs it, reused by the next ones, stopped when idle), unless
MEDPRESS_LT_URL names running servers (a comma-separated list is a pool; requests are spread across it). Results
are cached per paragraph (paragraph text + LanguageTool version + rule configuration), so an unchanged post
sends nothing.

A request's timeout follows its size and the speed the server showed in this run (the slowest characters per second
seen), never less than the policy's grammar.request_timeout_seconds; a request that times out while the server still
answers is tried again with twice the time. A service that crashed is restarted once. When the check cannot run,
the GR000 finding names the cause (not installed or not started, too slow, crashed) and what to do about it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from checks.document import Post
from checks.grammar import GrammarResult, InvalidAnswer, Match, Paragraph, cache_key, paragraphs, validated_matches
from checks.policy import GrammarPolicy
from flows.store.cache import JsonCache, cache_root

# The LanguageTool installer and start script: package data (flows/data/languagetool, in the repository a link to
# tools/languagetool), so an installed medpress can install and start its server too.
TOOLS = (Path(__file__).parent.parent / "data" / "languagetool").resolve()
DEFAULT_INSTALL_ROOT = Path.home() / ".cache" / "medpress"  # as in tools/languagetool/install.sh
SEPARATOR = {"markup": "\n\n", "interpretAs": "\n\n"}


# Before the first answer of a run: a busy two-core machine checked 2.5-3.6 KB in 51-59 s (issue 19).
ASSUMED_CHARS_PER_SECOND = 50.0
SAFETY = 3.0  # a request may take this many times what the measured speed predicts
TRIES = 3  # a request that times out while its server still answers is sent again, with twice the time


class GrammarUnavailable(Exception):
    """LanguageTool could not be used; the message is what the GR000 finding says, ``help`` what to do."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.help = help


Failure = tuple[str, str | None]  # why a request got no answer, and the help line for it


def pinned_version() -> str:
    found = re.search(r"<languagetool.version>([^<]+)<", (TOOLS / "pom.xml").read_text())
    return found.group(1) if found else "unknown"


def install_dir() -> Path:
    """Where tools/languagetool/install.sh put LanguageTool: MEDPRESS_LT_DIR, else ~/.cache/medpress/languagetool-V.
    Never under MEDPRESS_CACHE: a review with another cache folder must find the same install."""
    return Path(os.environ.get("MEDPRESS_LT_DIR") or DEFAULT_INSTALL_ROOT / f"languagetool-{pinned_version()}")


def pool_urls() -> list[str]:
    given = os.environ.get("MEDPRESS_LT_URL", "")
    return [u.strip().rstrip("/") for u in given.split(",") if u.strip()]


class ManagedServer:
    """A LanguageTool server medpress started itself, on a free loopback port."""

    def __init__(self, heap: str) -> None:
        self.heap = heap
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> str:
        folder = install_dir()
        if not (folder / "lib" / f"languagetool-server-{pinned_version()}.jar").is_file():
            raise GrammarUnavailable(f"LanguageTool {pinned_version()} is not installed in {folder} "
                                     f"(run {TOOLS / 'install.sh'}, or `make languagetool`)")
        from flows.services.background import free_port

        port = free_port()
        cache_root().mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MEDPRESS_LT_DIR": str(folder)}
        with (cache_root() / "languagetool.log").open("ab") as log:
            self.process = subprocess.Popen([str(TOOLS / "start.sh"), str(port), self.heap], stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                            start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GrammarUnavailable(f"the LanguageTool server exited with status {self.process.returncode} "
                                         f"(see {cache_root() / 'languagetool.log'})")
            if healthy(self.url):
                return self.url
            time.sleep(0.2)
        self.stop()
        raise GrammarUnavailable("the LanguageTool server did not start within 90 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url + "/v2/languages", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class LanguageToolClient:
    """LanguageTool's /v2/check with annotated ``data``: Markdown syntax, link targets and code stay out of the
    check while offsets still count them, which is what maps matches back to the source exactly."""

    def __init__(self, url: str, policy: GrammarPolicy) -> None:
        self.url = url
        self._params = policy.server_params()
        self._http = httpx.Client(timeout=policy.request_timeout_seconds)  # shared by the request threads

    def check_annotated(self, annotation: Sequence[dict[str, str]], timeout: float | None = None) -> object:
        """The decoded JSON answer. Raises httpx.RequestError when the server cannot be reached or does not
        answer within ``timeout`` seconds, and InvalidAnswer for anything but a 200 JSON answer."""
        params = {**self._params, "data": json.dumps({"annotation": list(annotation)})}
        wait = httpx.Timeout(timeout, connect=10.0) if timeout else httpx.USE_CLIENT_DEFAULT
        response = self._http.post(self.url + "/v2/check", data=params, timeout=wait)
        if response.status_code != 200:
            raise InvalidAnswer(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
        kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
        if "json" not in kind:
            raise InvalidAnswer(f"{kind}, not JSON")
        try:
            return response.json()
        except ValueError as err:
            raise InvalidAnswer(f"not JSON ({_short(err)})") from err

    def close(self) -> None:
        self._http.close()


def _matches(items: list[dict[str, Any]]) -> list[Match]:
    return [Match.from_cache(item) for item in items]


class ParagraphCache:
    """Matches per paragraph key, in one SQLite file (flows.store.cache.JsonCache: safe for concurrent runs, a damaged
    file set aside)."""

    def __init__(self, path: Path | None) -> None:
        self._store = JsonCache(path, "paragraphs")

    def get_many(self, keys: Sequence[str]) -> dict[str, list[Match]]:
        found = self._store.load_many([(key,) for key in keys], decode=_matches)
        return {key: matches for key, matches in zip(keys, found, strict=True) if matches is not None}

    def put_many(self, items: dict[str, list[Match]]) -> None:
        self._store.save_many(([m.to_json() for m in matches], (key,)) for key, matches in items.items())

    def close(self) -> None:
        self._store.close()


@dataclass
class _Request:
    post: str
    items: list[tuple[int, Paragraph, str]]  # (paragraph index in post, paragraph, cache key)


@dataclass
class GrammarStats:
    requests: int = 0
    paragraphs_checked: int = 0
    paragraphs_cached: int = 0
    restarts: int = 0
    servers: list[str] = field(default_factory=list)
    language_tool_version: str = ""

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class GrammarService:
    """Check the paragraphs of many posts; only uncached ones reach LanguageTool."""

    def __init__(self, policy: GrammarPolicy, *, use_cache: bool = True,
                 progress: Callable[[int], Any] | None = None) -> None:
        """``progress(total)``: what counts the requests answered (its ``advance(n)`` is called, with n=0 every
        second while requests are pending), e.g. flows.engine.progress.Progress."""
        self.policy = policy
        self.version = pinned_version()
        self.fingerprint = json.dumps({"lt": self.version, "params": policy.server_params()}, sort_keys=True)
        self.cache = ParagraphCache(cache_root() / "grammar.sqlite" if use_cache else None)
        self.stats = GrammarStats(language_tool_version=self.version)
        self.progress = progress
        self._service_pid: int | None = None  # the user's LanguageTool service, when medpress runs it
        self._clients: list[LanguageToolClient] = []
        self._round_robin: itertools.cycle[LanguageToolClient] | None = None
        self._lock = threading.Lock()
        self._broken: Failure | None = None
        self._speed: float | None = None  # the slowest characters per second answered in this run

    def check(self, posts: Sequence[Post]) -> dict[str, tuple[list[Paragraph], GrammarResult]]:
        return self.check_paragraphs([(post.rel_path, paragraphs(post)) for post in posts])

    def check_paragraphs(self, posts: Sequence[tuple[str, list[Paragraph]]]
                         ) -> dict[str, tuple[list[Paragraph], GrammarResult]]:
        """:meth:`check` of posts given as (path, their paragraphs), taken where the posts were parsed."""
        results: dict[str, tuple[list[Paragraph], GrammarResult]] = {}
        requests: list[_Request] = []
        # A paragraph several posts share (the clinic's disclaimer, say) is sent once; the others wait for it.
        waiting: dict[str, list[tuple[str, int]]] = {}  # cache key -> (post, paragraph index) of the repeats
        for rel_path, paras in posts:
            keys = [cache_key(p, self.fingerprint) for p in paras]
            cached = self.cache.get_many(keys)
            result = GrammarResult({i: cached[k] for i, k in enumerate(keys) if k in cached})
            self.stats.paragraphs_cached += len(result.matches)
            todo = []
            for i, (paragraph, key) in enumerate(zip(paras, keys, strict=True)):
                if key in cached:
                    continue
                if key in waiting:
                    waiting[key].append((rel_path, i))
                    continue
                waiting[key] = []
                todo.append((i, paragraph, key))
            requests.extend(_Request(rel_path, chunk) for chunk in self._pack(todo))
            results[rel_path] = (paras, result)
        if requests:
            try:
                self._connect()
            except GrammarUnavailable as err:
                self._broken = (str(err), err.help)
            progress = self.progress(len(requests)) if self.progress else None
            with ThreadPoolExecutor(max_workers=self.policy.max_parallel_requests) as pool:
                pending = {pool.submit(self._send, request): request for request in requests}
                while pending:
                    done, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                    if progress is not None:
                        progress.advance(len(done))  # advance(0) every second: a slow server still shows progress
                    for future in done:
                        self._apply(pending.pop(future), future.result(), results, waiting)
        return results

    def _apply(self, request: _Request, outcome: dict[int, list[Match]] | Failure,
               results: dict[str, tuple[list[Paragraph], GrammarResult]],
               waiting: dict[str, list[tuple[str, int]]]) -> None:
        for index, _, key in request.items:
            for path, at in [(request.post, index), *waiting[key]]:
                result = results[path][1]
                if isinstance(outcome, tuple):
                    if result.error is None:
                        result.error, result.help = outcome
                else:
                    result.matches[at] = outcome[index]
            if not isinstance(outcome, tuple):
                self.stats.paragraphs_cached += len(waiting[key])  # answered without a request

    def _pack(self, todo: list[tuple[int, Paragraph, str]]) -> list[list[tuple[int, Paragraph, str]]]:
        chunks: list[list[tuple[int, Paragraph, str]]] = []
        size = 0
        for item in todo:
            if not chunks or size + item[1].length > self.policy.max_request_chars:
                chunks.append([])
                size = 0
            chunks[-1].append(item)
            size += item[1].length + 2
        return chunks

    def _connect(self) -> None:
        urls = pool_urls()
        if not urls:
            from flows.services import lt_service

            try:
                url, self._service_pid = lt_service.ensure(self.policy.server_heap)
            except lt_service.ServiceError as err:
                raise GrammarUnavailable(f"LanguageTool is not running and could not be started: {err}",
                                         err.help) from err
            self._clients = [LanguageToolClient(url, self.policy)]  # ensure() just saw it answer
            self._round_robin = itertools.cycle(self._clients)
            self.stats.servers = [url]
            return
        alive = [u for u in urls if healthy(u, timeout=5)]
        if not alive:
            raise GrammarUnavailable("no LanguageTool server answers at " + ", ".join(urls),
                                     "Start the server MEDPRESS_LT_URL names, or unset MEDPRESS_LT_URL to let medpress "
                                     "run its own (`medpress lt start`); --no-grammar skips the check on purpose.")
        self._clients = [LanguageToolClient(u, self.policy) for u in alive]
        self._round_robin = itertools.cycle(self._clients)
        self.stats.servers = alive

    def _client(self) -> LanguageToolClient:
        with self._lock:
            assert self._round_robin is not None
            return next(self._round_robin)

    def timeout_for(self, text_units: int) -> float:
        """Seconds to wait for a request of this size: what the slowest speed seen so far predicts, times
        SAFETY, never less than the policy's request_timeout_seconds (three times that before any answer)."""
        floor = self.policy.request_timeout_seconds
        if self._speed is None:
            return max(SAFETY * floor, SAFETY * text_units / ASSUMED_CHARS_PER_SECOND)
        return max(floor, SAFETY * text_units / self._speed)

    def _send(self, request: _Request) -> dict[int, list[Match]] | Failure:
        """Matches per paragraph index, or why the request could not be answered."""
        if self._broken:
            return self._broken
        annotation: list[dict[str, str]] = []
        starts = []
        at = 0
        for n, (_, paragraph, _) in enumerate(request.items):
            if n:
                annotation.append(SEPARATOR)
                at += len(SEPARATOR["markup"])
            starts.append(at)
            annotation.extend(paragraph.annotation)
            at += paragraph.length
        text = "".join(a.get("text", a.get("markup", "")) for a in annotation)
        answer = self._answer(annotation, len(text.encode("utf-16-le")) // 2)
        if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], str):
            return answer  # a Failure
        matches, software = answer  # type: ignore[misc]
        if software:
            self.stats.language_tool_version = software
        to_python = _utf16_to_python(text)
        found: dict[int, list[Match]] = {index: [] for index, _, _ in request.items}
        for data in matches:
            offset = to_python(int(data.get("offset", 0)))
            end = to_python(int(data.get("offset", 0)) + int(data.get("length", 0)))
            for (index, paragraph, _), start in zip(request.items, starts, strict=True):
                if start <= offset < start + paragraph.length:
                    match = Match.from_json({**data, "length": end - offset}, offset - start)
                    found[index].append(match)
                    break
        self.cache.put_many({key: found[index] for index, _, key in request.items})
        with self._lock:
            self.stats.requests += 1
            self.stats.paragraphs_checked += len(request.items)
        return found

    def _answer(self, annotation: list[dict[str, str]], text_units: int
                ) -> tuple[list[dict[str, Any]], str] | Failure:
        """The answer's validated matches and LanguageTool's version, or why there are none.

        A timeout while the server still answers is tried again with twice the time (TRIES in all); a server that
        cannot be reached is restarted once when it is medpress's service (a pool given by URL is asked again
        once), then given up for the run; an answer that is not a check result fails only this request.
        """
        timeout = self.timeout_for(text_units)
        failure: Failure = ("LanguageTool gave no answer", None)
        reconnected = False
        for _ in range(TRIES):
            client = self._client()
            started = time.monotonic()
            try:
                answer = client.check_annotated(annotation, timeout)
                matches = validated_matches(answer, text_units)
            except InvalidAnswer as err:
                return (f"LanguageTool at {client.url} gave an invalid answer: {err}",
                        "The server answered something other than a check result; `medpress lt stop` and review "
                        "again (a fresh server starts), or check what MEDPRESS_LT_URL points at.")
            except httpx.TimeoutException:
                if healthy(client.url, timeout=10):  # alive but slow: give it more time
                    failure = self._slow(client.url, text_units, timeout)
                    timeout *= 2
                    continue
                failure = self._crashed(client.url)
            except httpx.RequestError as err:
                failure = self._crashed(client.url, _short(err))
            else:
                self._measured(text_units, time.monotonic() - started)
                software = answer.get("software") if isinstance(answer, dict) else None
                version = software.get("version") if isinstance(software, dict) else None
                return matches, version if isinstance(version, str) else ""
            if reconnected or not self._recover():
                break
            reconnected = True
        with self._lock:
            self._broken = self._broken or failure
        return failure

    def _measured(self, text_units: int, seconds: float) -> None:
        speed = max(text_units, 1) / max(seconds, 1e-3)
        with self._lock:
            self._speed = speed if self._speed is None else min(self._speed, speed)

    def _slow(self, url: str, text_units: int, waited: float) -> Failure:
        speed = f"{self._speed:.0f} characters/s" if self._speed else "no answer yet"
        return (f"LanguageTool at {url} is running but too slow: no answer to {text_units} characters within "
                f"{waited:.0f} s (measured speed in this run: {speed}), after {TRIES} tries",
                "The machine is probably busy: review again when it is quieter, or raise "
                "grammar.request_timeout_seconds in the policy; --no-grammar skips the check on purpose.")

    def _crashed(self, url: str, detail: str = "") -> Failure:
        from flows.services import lt_service

        how = f" ({detail})" if detail else ""
        if self._service_pid is not None:
            return (f"the LanguageTool server at {url} (pid {self._service_pid}) stopped during the review{how}: "
                    "it crashed or was stopped",
                    f"See {lt_service.SLOT.log_file()} for why (out of memory?), then review again: a new server "
                    "starts (`medpress lt status` says whether one runs).")
        return (f"LanguageTool at {url} stopped answering during the review{how}: it crashed or was stopped",
                "Restart the server MEDPRESS_LT_URL names (or unset MEDPRESS_LT_URL to let medpress run its own), "
                "then review again.")

    def _recover(self) -> bool:
        """One restart of medpress's own service when it died (a pool given by URL is asked again once)."""
        from flows.services import lt_service

        with self._lock:
            if self._broken:
                return False
            if self._service_pid is None:
                return True
            if self.stats.restarts >= 1:
                return False
            if lt_service.server_alive(self._service_pid):
                return True  # still running: ask again
            self.stats.restarts += 1
            try:
                url, self._service_pid = lt_service.ensure(self.policy.server_heap)
            except lt_service.ServiceError as err:
                self._broken = (f"the LanguageTool server stopped during the review and could not be restarted: "
                                f"{err}", err.help)
                return False
            self._clients = [LanguageToolClient(url, self.policy)]
            self._round_robin = itertools.cycle(self._clients)
            return True

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.cache.close()


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def _utf16_to_python(text: str):
    """LanguageTool counts UTF-16 code units; Python counts code points."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda offset: offset
    table = []
    for index, char in enumerate(text):
        table.append(index)
        if ord(char) >= 0x10000:
            table.append(index)
    table.append(len(text))
    return lambda offset: table[min(offset, len(table) - 1)]
