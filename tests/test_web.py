"""The self-check page in a real browser: Playwright (PyPI) driving Debian's chromium
(or Playwright's own), skipped with the reason where neither is there (.ci/run installs
both). The page is built by `symprop web` into a temporary folder and served from
localhost; it runs symprop in Pyodide and must agree with `symprop check` on the same
files. The first load's and a check's times are printed (pytest -s shows them) and
written to output/web-timings.json for benchmarks/RESULTS.md."""

import json
import os
import shutil
import threading
import time
import tomllib

import pytest

from helpers import EXAMPLES, ROOT
from symprop.cli import main
from symprop.web.build import build, serve

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                                 "(pip install playwright; .ci/run installs it)")

SEED = EXAMPLES / "two_layer_sigmoid.toml"
SEED_ANSWERS = EXAMPLES / "answers" / "two_layer_sigmoid.toml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOAD_TIMEOUT = 180_000          # ms: a loaded CI machine; the targets are reported, not asserted
TIMINGS = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("web") / "site"
    build(out)
    urls = []
    server = threading.Thread(target=serve, args=(out,), kwargs={"port": 0, "ready": urls.append},
                              daemon=True)
    server.start()
    while not urls:
        time.sleep(0.02)
    return urls[0]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"]) if CHROMIUM \
                else p.chromium.launch()
        except playwright.Error as exc:
            pytest.skip(f"no browser for Playwright (apt-get install chromium): {str(exc)[:200]}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(site, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, elsewhere = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith((site, "data:", "blob:")) else elsewhere.append(r.url))
    t0 = time.monotonic()
    page.goto(site)
    page.wait_for_function("window.symprop_timings.load !== undefined "
                           "|| document.getElementById('status').className === 'error'",
                           timeout=LOAD_TIMEOUT)
    TIMINGS["first_load_s"] = round(time.monotonic() - t0, 2)
    assert page.get_attribute("#status", "class") != "error", page.text_content("#status")
    TIMINGS["in_page"] = page.evaluate("window.symprop_timings")
    page.errors = errors
    yield page
    assert not errors, errors
    assert not elsewhere, f"the page fetched from elsewhere than its folder: {elsewhere}"
    os.makedirs(ROOT / "output", exist_ok=True)
    (ROOT / "output" / "web-timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")
    print(f"\nweb page timings: {json.dumps(TIMINGS)}")


def answers_as_written():
    """The seed's answer file, each value as the text it was written with."""
    return tomllib.loads(SEED_ANSWERS.read_text(encoding="utf-8"), parse_float=str)["answers"]


def open_example(page, name):
    page.select_option("#example", "")
    page.select_option("#example", name)
    page.wait_for_selector(f"#problem-section[data-opened=\"{name}.toml\"]")


def open_seed(page):
    open_example(page, "two_layer_sigmoid")


def test_seed_answers_typed_in_get_the_verdicts_of_symprop_check(page, capsys):
    main(["check", str(SEED), str(SEED_ANSWERS), "--format", "json"])
    expected = json.loads(capsys.readouterr().out)["results"]
    open_seed(page)
    assert page.text_content("#title") == "Two-layer sigmoid network"
    assert page.locator("#network svg circle").count() == 3 + 2 + 2
    for name, value in answers_as_written().items():
        page.fill(f"#answers input[data-name=\"{name}\"]", str(value))
    t0 = time.monotonic()
    page.click("#check")
    page.wait_for_selector("#report[data-checked='your answers'] table")
    TIMINGS["check_s"] = round(time.monotonic() - t0, 2)
    rows = page.eval_on_selector_all(
        "#report tbody tr", "trs => trs.map(tr => [tr.dataset.name, tr.dataset.verdict, "
                            "tr.cells[2].textContent])")
    assert rows == [[e["name"], e["verdict"], e["given"]] for e in expected]
    reasons = page.text_content("#report ul.reasons")
    for e in expected:
        if e["reason"]:
            assert e["reason"] in reasons
    assert "0 exact, 2 correctly rounded, 11 carried forward, 4 wrong (of 17)" in page.text_content("#report")


def test_an_answer_file_upload_is_checked_too(page, tmp_path):
    open_seed(page)
    page.set_input_files("#answers-file", str(SEED_ANSWERS))
    page.wait_for_selector("#report[data-checked='two_layer_sigmoid.toml'] tbody tr[data-name='z1[1]'][data-verdict='wrong']")
    assert page.locator("#report tbody tr").count() == len(answers_as_written())


@pytest.mark.parametrize("answers", sorted((EXAMPLES / "answers").glob("*.toml")), ids=lambda p: p.stem)
def test_every_bundled_answer_file_gets_the_verdicts_of_symprop_check(page, answers, capsys):
    main(["check", str(EXAMPLES / answers.name), str(answers), "--format", "json"])
    expected = json.loads(capsys.readouterr().out)["results"]
    open_example(page, answers.stem)
    page.set_input_files("#answers-file", str(answers))
    page.wait_for_selector(f"#report[data-checked=\"{answers.name}\"] tbody tr")
    rows = page.eval_on_selector_all("#report tbody tr", "trs => trs.map(tr => [tr.dataset.name, tr.dataset.verdict])")
    assert rows == [[e["name"], e["verdict"]] for e in expected]
    assert page.is_hidden("#answers-error")


def test_the_solution_is_revealed_step_by_step_and_shows_the_loss(page):
    open_seed(page)
    assert page.locator("#steps .step").count() == 0
    page.click("#next")
    assert page.locator("#steps .step").count() == 1
    assert "Forward pass" in page.text_content("#steps")
    assert "0.170528" not in page.text_content("#steps")     # the loss is the next step
    page.click("#next")
    assert page.locator("#steps .step").nth(1).locator("h4").text_content() == "Loss"
    assert "0.170528" in page.text_content("#steps .step >> nth=1")
    page.click("#all")
    assert page.is_disabled("#next")
    text = page.text_content("#steps")
    for heading in ("Backward pass", "Gradients", "Update", "After the update", "The loss went down"):
        assert heading in text
    with page.expect_download() as download:
        page.click("#tex")
    tex = open(download.value.path(), encoding="utf-8").read()
    assert r"\documentclass" in tex and "Two-layer sigmoid network" in tex
    page.screenshot(path=str(ROOT / "output" / "web-solution.png"), full_page=True)


def test_a_malformed_problem_shows_the_cli_message(page, tmp_path, capsys):
    text = 'title = "<b>bold?</b>"\nloss = "half_sse"\n[data]\nx = [1]\n'
    path = tmp_path / "pasted problem"
    path.write_text(text)
    assert main(["solve", str(path)]) == 2
    expected = capsys.readouterr().err.strip().replace(str(path), "pasted problem")
    page.click("#own summary")
    page.fill("#problem-text", text)
    page.click("#open")
    page.wait_for_selector("#problem-section[data-opened='pasted problem'] #problem-error:not([hidden])")
    assert page.text_content("#problem-error") == expected
    assert page.is_hidden("#answers-section")


def test_a_pasted_problem_shows_its_title_as_text(page):
    text = SEED.read_text(encoding="utf-8").replace(
        'title = "Two-layer sigmoid network"', 'title = "<img src=x onerror=alert(1)> & co"')
    page.fill("#problem-text", text)
    page.click("#open")
    page.wait_for_selector("#problem-section[data-opened='pasted problem']")
    assert page.is_visible("#answers-section")
    assert page.text_content("#title") == "<img src=x onerror=alert(1)> & co"
    assert page.locator("img").count() == 0


def test_the_page_says_why_it_cannot_start_from_a_file(browser, site, tmp_path):
    out = tmp_path / "copy"
    build(out)
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    page.wait_for_function("document.getElementById('status').className === 'error'")
    assert "symprop web --out FOLDER --serve" in page.text_content("#status")
    page.close()
