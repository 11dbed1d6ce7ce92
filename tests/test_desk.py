"""The reviewer's desk (`medpress serve`) in a real headless Chromium (Selenium, Debian's chromium-driver).

One desk runs for the module on a git copy of the fixture content, with its own policy: two reviewers
(``ann-lee``, compliance-lead, who may override; ``bo-chen``, an editor-reviewer, who may not), a reader
account, and the desk ``front-desk`` whose key signs for both reviewers. Accounts are added with
`medpress users add`, as an administrator would. Screenshots go to tests/artifacts/desk-*.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from checks.policy import REVIEWERS_FILE
from flows.store import ledger
from tests.conftest import CONTENT, ROOT
from tests.signing import make_key, own_policy, register_reviewer

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "install them with tools/install-chromium.sh (Debian's chromium and chromium-driver)"
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORDS = {"ann-lee": "ann-correct-horse-1", "bo-chen": "bo-battery-staple-2", "cy-reader": "cy-reading-only-3"}
FAILING = "posts/lip-filler-guide.md"  # 6 findings, errors among them
PASSING = "posts/underarm-sweating-botox.md"


@dataclass
class Desk:
    url: str
    port: int
    root: Path  # the desk's working folder (a git repository)
    content: Path
    users: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def _medpress(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    medpress = Path(sys.executable).with_name("medpress")
    return subprocess.run([str(medpress), *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    for binary in (CHROMIUM, DRIVER):
        if not binary.is_file():
            pytest.fail(f"the desk's browser tests need {binary}: {INSTALL_HINT}", pytrace=False)
    root = tmp_path_factory.mktemp("desk")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    own_policy(content)
    register_reviewer(content, "ann-lee", "compliance-lead")
    register_reviewer(content, "bo-chen", "editor-reviewer")
    desk_key = make_key(root / "desk-keys", "front-desk")
    reviewers = own_policy(content) / REVIEWERS_FILE
    data = yaml.safe_load(reviewers.read_text())
    data["desks"] = [{"id": "front-desk", "name": "the test desk", "reviewers": ["ann-lee", "bo-chen"],
                      "keys": [Path(f"{desk_key}.pub").read_text().strip()]}]
    reviewers.write_text(yaml.safe_dump(data, sort_keys=False))
    _git(root, "init", "-q")
    _git(root, "add", "content")
    _git(root, "commit", "-q", "-m", "content")
    users = root / "config" / "desk-users.json"
    for name, role in (("ann-lee", "compliance-lead"), ("bo-chen", "editor-reviewer"), ("cy-reader", "reader")):
        added = _medpress("users", "add", name, "--role", role, "--users", str(users), "--password-stdin",
                          cwd=root, stdin=PASSWORDS[name] + "\n")
        assert added.returncode == 0, added.stderr
        assert PASSWORDS[name] not in added.stdout + added.stderr
    port = _free_port()
    log = root / "desk.log"
    medpress = Path(sys.executable).with_name("medpress")
    with log.open("w") as out:
        server = subprocess.Popen([str(medpress), "serve", "--content", "content", "--users", str(users),
                                   "--desk", "front-desk", "--key", str(desk_key), "--port", str(port),
                                   "--no-grammar", "--git-commit"], cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, f"medpress serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the desk did not answer in 60 s:\n{log.read_text()}"
            time.sleep(0.3)
        yield Desk(f"http://127.0.0.1:{port}", port, root, content, users, log)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def browser(desk: Desk) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--no-first-run"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: webdriver.Chrome, desk: Desk, name: str, path: str = "/") -> None:
    driver.get(desk.url + path)
    assert "/signin" in driver.current_url
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[name])
    click_and_load(driver, "signin-button")
    assert driver.find_element(By.ID, "who").text.startswith(name)


def click_and_load(driver: webdriver.Chrome, element_id: str) -> None:
    """Click a button that submits a form, and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, 120).until(expected_conditions.staleness_of(page))


def shot(driver: webdriver.Chrome, name: str, at: str = "", height: int = 0) -> None:
    """A screenshot of the whole page (up to 3000 px), or ``height`` px from the element with id ``at``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if height:
        driver.set_window_size(1400, height)
        if at:
            driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", at)
    else:
        full = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1400, min(max(int(full) + 40, 800), 3000))
    assert driver.save_screenshot(str(ARTIFACTS / f"desk-{name}.png"))


def http_session(desk: Desk, name: str) -> tuple[httpx.Client, str]:
    """A signed-in client (no browser) and its CSRF token, for requests a form would never send."""
    client = httpx.Client(base_url=desk.url, timeout=120)
    page = client.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    done = client.post("/signin", data={"csrf": token.group(1), "name": name, "password": PASSWORDS[name],
                                        "next": "/"})
    assert done.status_code == 303, done.text
    queue = client.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', queue.text)
    assert token
    return client, token.group(1)


def events(desk: Desk) -> list[ledger.Event]:
    return ledger.events(desk.content)


# --------------------------------------------------------------------------------------------------- security


def test_bound_to_loopback_by_default(desk: Desk) -> None:
    from flows.cli import build_parser

    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == desk.port:
                listening.add(address)
    assert listening == {"0100007F"}, f"the desk listens on {listening}, not only 127.0.0.1"


def test_a_host_name_the_desk_does_not_know_is_refused(desk: Desk) -> None:
    """DNS rebinding: a page on another site whose name now points at 127.0.0.1 gets nothing."""
    assert httpx.get(desk.url + "/signin", headers={"Host": "evil.example"}).status_code == 400
    assert httpx.get(f"http://localhost:{desk.port}/signin").status_code == 200


def test_anonymous_sees_nothing(desk: Desk) -> None:
    before = len(events(desk))
    with httpx.Client(base_url=desk.url, timeout=60) as client:
        for path in ("/", f"/post/{PASSING}", "/?state=approved"):
            page = client.get(path)
            assert page.status_code == 303 and page.headers["location"].startswith("/signin"), path
        image = client.get("/images/microneedling-pen.png")
        assert image.status_code == 303 and not image.content
        refused = client.post(f"/post/{PASSING}", data={"decision": "approve", "note": "x", "csrf": "x"})
        assert refused.status_code == 403
        assert "Underarm" not in refused.text
    assert len(events(desk)) == before


def test_a_post_without_the_csrf_token_is_refused(desk: Desk) -> None:
    client, token = http_session(desk, "ann-lee")
    before = len(events(desk))
    with closing(client):
        for data in ({"decision": "approve", "note": "looks fine"},
                     {"decision": "approve", "note": "looks fine", "csrf": token[::-1]}):
            refused = client.post(f"/post/{PASSING}", data=data)
            assert refused.status_code == 403
            assert "security token" in refused.text
        signin = httpx.post(desk.url + "/signin", data={"name": "ann-lee", "password": PASSWORDS["ann-lee"]})
        assert signin.status_code == 403  # signing in needs the sign-in form's token too
    assert len(events(desk)) == before


def test_passwords_are_never_stored_or_logged_in_clear(desk: Desk) -> None:
    stored = desk.users.read_text()
    assert oct(desk.users.stat().st_mode & 0o777) == "0o600"
    for name, password in PASSWORDS.items():
        assert password not in stored
        assert re.search(rf'"{name}": \{{[^}}]*"password_hash": "\$argon2id\$', stored)
    with httpx.Client(base_url=desk.url, timeout=60) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        wrong = client.post("/signin", data={"csrf": token.group(1), "name": "ann-lee",
                                             "password": "wrong-password-typed-here"})
        assert wrong.status_code == 401
    http_session(desk, "bo-chen")[0].close()
    log = desk.log.read_text()
    assert "desk sign-in: bo-chen" in log  # the log is there, and says who
    for password in (*PASSWORDS.values(), "wrong-password-typed-here"):
        assert password not in log


# ------------------------------------------------------------------------------------------------- in Chromium


def test_sign_in_and_filter_the_queue(desk: Desk, browser: webdriver.Chrome) -> None:
    sign_in(browser, desk, "ann-lee")
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue tr.row")
    assert len(rows) == 9
    states = {row.get_attribute("data-path"): row.find_element(By.CSS_SELECTOR, ".state").text for row in rows}
    assert states[PASSING] == "approved" and states[FAILING] == "in review"
    assert states["posts/glp1-weight-loss.md"] == "draft"
    shot(browser, "queue")
    Select(browser.find_element(By.ID, "f-verdict")).select_by_value("fail")
    click_and_load(browser, "f-apply")
    failing = browser.find_elements(By.CSS_SELECTOR, "#queue tr.row")
    assert len(failing) == 6
    assert all(r.find_element(By.CSS_SELECTOR, ".verdict").text == "fail" for r in failing)
    assert "6 of 9 posts" in browser.find_element(By.ID, "count").text
    Select(browser.find_element(By.ID, "f-check")).select_by_value("links")
    browser.find_element(By.ID, "f-q").send_keys("filler")
    click_and_load(browser, "f-apply")
    only = browser.find_elements(By.CSS_SELECTOR, "#queue tr.row")
    assert [r.get_attribute("data-path") for r in only] == [FAILING]
    assert "links" in only[0].text
    browser.get(desk.url + "/post/posts/microneedling-aftercare.md")  # its image is served to a signed-in reviewer
    picture = browser.find_element(By.CSS_SELECTOR, "#published article img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) > 0
    client, _ = http_session(desk, "cy-reader")
    with closing(client):
        assert client.get("/images/..%2Fpolicy%2Freviewers.yaml").status_code == 404
        assert client.get("/images/microneedling-pen.png").headers["content-type"] == "image/png"
    shot(browser, "queue-filtered")


def test_post_page_highlights_the_reports_spans(desk: Desk, browser: webdriver.Chrome) -> None:
    from flows.engine.steps import ReviewOptions, review_plain

    report = review_plain(ReviewOptions(desk.content, [desk.content / FAILING], None, False))
    findings = report.posts[0].findings
    sign_in(browser, desk, "ann-lee", f"/post/{FAILING}")
    lines = (desk.content / FAILING).read_text().split("\n")
    hits = browser.find_elements(By.CSS_SELECTOR, "#markdown a.hit")
    marked = {int(n) for hit in hits for n in hit.get_attribute("data-findings").split()}
    assert marked == {n for n, f in enumerate(findings, 1) if f.line}
    for number, item in enumerate(findings, 1):  # the marked text is the report's span, character for character
        if item.line and item.column and item.end_column and item.end_line in (None, item.line):
            text = "".join(h.text for h in hits if str(number) in h.get_attribute("data-findings").split())
            assert text == lines[item.line - 1][item.column - 1:item.end_column - 1], item
    assert browser.find_elements(By.CSS_SELECTOR, "#markdown a.hit.sev-error")
    assert browser.find_element(By.ID, "verdict").text == "fail"
    assert browser.find_element(By.CSS_SELECTOR, "#published article h2, #published article p")
    assert browser.find_elements(By.CSS_SELECTOR, "#claims table.claims tbody tr")
    radios = browser.find_elements(By.CSS_SELECTOR, "input[name=decision]")
    assert len(radios) == 2 and not any(r.is_selected() for r in radios)  # no default decision
    assert browser.find_element(By.ID, "override")  # errors, and ann-lee's role may override
    shot(browser, "post", at="published", height=1000)


def test_request_changes_is_signed_by_the_desk_for_the_reviewer(desk: Desk, browser: webdriver.Chrome) -> None:
    sign_in(browser, desk, "ann-lee", f"/post/{FAILING}")
    browser.find_element(By.ID, "d-request").click()
    browser.find_element(By.ID, "note").send_keys("Cite the FDA label for the lip filler claim in paragraph 2.")
    click_and_load(browser, "submit-decision")
    result = browser.find_element(By.ID, "result").text
    assert "request-changes of posts/lip-filler-guide.md" in result and "signed by desk front-desk" in result
    event = events(desk)[-1]
    assert (event.action, event.path, event.reviewer, event.role, event.signer, event.source) == (
        "request-changes", FAILING, "ann-lee", "compliance-lead", "front-desk", "desk")
    state = ledger.read(desk.content)
    assert state.sound, state.describe()
    assert FAILING not in state.approvals()  # a request is history, not an approval
    assert "Cite the FDA label" in browser.find_element(By.ID, "history").text
    shot(browser, "request-changes", height=800)
    browser.get(desk.url + "/")
    row = browser.find_element(By.CSS_SELECTOR, f'#queue tr[data-path="{FAILING}"]')
    assert "changes requested by ann-lee" in row.text


def test_approve_a_stale_post_after_reading_its_diff(desk: Desk, browser: webdriver.Chrome) -> None:
    post = desk.content / PASSING
    post.write_text(post.read_text() + "\nAsk our nurses about sweating between visits.\n")
    _git(desk.root, "commit", "-q", "-am", "edit after approval")
    sign_in(browser, desk, "ann-lee", f"/post/{PASSING}")
    assert browser.find_element(By.ID, "state").text == "stale"
    added = [d.text for d in browser.find_elements(By.CSS_SELECTOR, "#diff pre.diff .add")]
    assert "+Ask our nurses about sweating between visits." in added
    assert not browser.find_elements(By.ID, "override")  # the post passes: no override to give
    shot(browser, "stale-diff", at="diff", height=700)
    browser.find_element(By.ID, "d-approve").click()
    browser.find_element(By.ID, "note").send_keys("Checked the new sentence.")
    click_and_load(browser, "submit-decision")
    assert "approve of posts/underarm-sweating-botox.md" in browser.find_element(By.ID, "result").text
    assert browser.find_element(By.ID, "state").text == "approved"
    state = ledger.read(desk.content)
    assert state.sound, state.describe()
    approval = state.approvals()[PASSING]
    assert (approval.reviewer, approval.signer) == ("ann-lee", "front-desk")
    author = _git(desk.root, "log", "-1", "--format=%an|%s", "--", "content/ledger/approvals.jsonl").strip()
    assert author == "ann-lee|ledger: approve posts/underarm-sweating-botox.md by ann-lee (compliance-lead) at " \
                     "desk front-desk"
    shot(browser, "approved")


def test_roles_the_policy_does_not_give_are_refused(desk: Desk, browser: webdriver.Chrome) -> None:
    before = len(events(desk))
    sign_in(browser, desk, "cy-reader", f"/post/{FAILING}")
    assert "readers do not decide" in browser.find_element(By.ID, "cannot-decide").text
    assert not browser.find_elements(By.ID, "decide")
    shot(browser, "reader-refused")
    client, token = http_session(desk, "cy-reader")
    with closing(client):
        refused = client.post(f"/post/{FAILING}", data={"csrf": token, "decision": "request-changes", "note": "x"})
        assert refused.status_code == 403 and "readers do not decide" in refused.text
    client, token = http_session(desk, "bo-chen")  # a reviewer, but not one who may override
    with closing(client):
        page = client.get(f"/post/{FAILING}")
        assert 'id="decide"' in page.text and 'id="override"' not in page.text
        refused = client.post(f"/post/{FAILING}", data={"csrf": token, "decision": "approve", "note": "fine",
                                                        "override": "I say so"})
        assert refused.status_code == 403 and "may not approve despite errors" in refused.text
        errors = client.post(f"/post/{FAILING}", data={"csrf": token, "decision": "approve", "note": "fine"})
        assert errors.status_code == 400 and "error-level finding" in errors.text
        no_choice = client.post(f"/post/{FAILING}", data={"csrf": token, "note": "fine"})
        assert no_choice.status_code == 400 and "choose a decision" in no_choice.text
        no_note = client.post(f"/post/{FAILING}", data={"csrf": token, "decision": "request-changes", "note": " "})
        assert no_note.status_code == 400 and "a note is required" in no_note.text
    assert len(events(desk)) == before


def test_the_users_file_grants_no_role_policy_does_not(desk: Desk) -> None:
    refused = _medpress("users", "add", "bo-chen", "--role", "compliance-lead", "--users", str(desk.users),
                        "--password-stdin", cwd=desk.root, stdin="a-long-enough-password\n")
    assert refused.returncode == 2 and "policy lists bo-chen as 'editor-reviewer'" in refused.stderr
    stranger = _medpress("users", "add", "mallory", "--role", "compliance-lead", "--users", str(desk.users),
                         "--password-stdin", cwd=desk.root, stdin="a-long-enough-password\n")
    assert stranger.returncode == 2 and "not a reviewer" in stranger.stderr
    inside = _medpress("users", "add", "cy-reader", "--role", "reader", "--users", "content/users.json",
                       "--password-stdin", cwd=desk.root, stdin="a-long-enough-password\n")
    assert inside.returncode == 2 and "outside the content folder" in inside.stderr
