"""The HTML audit report renders in a real browser (headless Chromium driven by Selenium/ChromeDriver).

Checked in the rendered page: one heatmap row per department with the counts of the report, the expected-role
cell outlined, each department's stacked bar filled by segments whose widths follow the role shares, every
finding shown with its evidence, most severe first, the reading report (every department with its file, lines
and parent; every line left out with its reason) and the flows shown, and a screenshot that is not blank.
"""

import shutil
from pathlib import Path

import pytest

from roleclassify.orgaudit import audit
from roleclassify.report.audit import render_html

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "corpus" / "orgdocs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,1600"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def test_html_report_renders(browser, shipped_model, tmp_path):
    from selenium.webdriver.common.by import By

    report = audit([ORG / "08_angle_drugstore.txt"], shipped_model)
    page = tmp_path / "audit.html"
    page.write_text(render_html(report), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.title == "Role audit"

    rows = browser.find_elements(By.CSS_SELECTOR, "#matrix tbody tr")
    assert [r.get_attribute("data-department") for r in rows] == [d.name for d in report.departments]
    for row, dept in zip(rows, report.departments):
        cells = row.find_elements(By.CSS_SELECTOR, "td[data-role]")
        assert {c.get_attribute("data-role"): int(c.text) for c in cells} == dept.counts
        for c in cells:
            expected = c.get_attribute("data-role") == dept.expected_role
            assert (c.value_of_css_property("outline-style") == "solid") == expected

    for barrow, dept in zip(browser.find_elements(By.CSS_SELECTOR, "#bars .barrow"), report.departments):
        bar = barrow.find_element(By.CSS_SELECTOR, ".bar")
        segs = bar.find_elements(By.CSS_SELECTOR, ".seg")
        total_w = bar.size["width"]
        assert total_w > 300
        assert abs(sum(s.size["width"] for s in segs) - total_w) <= len(segs) + 1
        n = len(dept.duties)
        for s in segs:
            share = dept.counts[s.get_attribute("data-role")] / n
            assert abs(s.size["width"] / total_w - share) < 0.02

    cards = browser.find_elements(By.CSS_SELECTOR, "#findings article.finding")
    assert len(cards) == len(report.findings) > 0
    assert [c.get_attribute("data-severity") for c in cards] == [f.severity for f in report.findings]
    first = cards[0]
    assert first.is_displayed() and first.size["height"] > 30
    evidence = first.find_elements(By.CSS_SELECTOR, "li")
    assert len(evidence) == len(report.findings[0].evidence)

    # what was read: one visible item per department and per line left out, the flows (not findings)
    read = browser.find_elements(By.CSS_SELECTOR, "#reading li")
    assert [li.text.split()[0] for li in read][:len(report.departments)] == [d.name for d in report.departments]
    assert all(li.is_displayed() for li in read)
    dropped = browser.find_elements(By.CSS_SELECTOR, "#dropped li")
    assert len(dropped) == len(report.reading["dropped"]) > 0
    assert "[heading]" in dropped[0].text
    flows = browser.find_elements(By.CSS_SELECTOR, "#flows li")
    assert len(flows) == len(report.flows) > 0 and "→" in flows[0].text

    png = tmp_path / "audit.png"
    browser.save_screenshot(str(png))
    from PIL import Image  # pillow comes with the test extras

    img = Image.open(png).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100, "the screenshot is blank"


def test_html_report_without_findings_renders(browser, shipped_model, tmp_path):
    from selenium.webdriver.common.by import By

    report = audit([ORG / "05_markdown_furniture.md"], shipped_model)
    page = tmp_path / "clean.html"
    page.write_text(render_html(report), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.find_elements(By.CSS_SELECTOR, "#findings article") == []
    assert "No findings" in browser.find_element(By.ID, "findings").text


def test_html_comparison_renders_old_and_new_side_by_side(browser, shipped_model, tmp_path):
    """`compare`'s 新旧対照表 page in a real browser: one row per change with its kind, old and new sides and
    roles, the moved row highlighted, the other sections listed, in Japanese."""
    from selenium.webdriver.common.by import By

    from roleclassify.compare import compare_org
    from roleclassify.report.compare import render_comparison

    d = ROOT / "examples" / "compare"
    cmp = compare_org([d / "分掌_2025.txt"], [d / "分掌_2026.txt"], shipped_model)
    page = tmp_path / "新旧対照表.html"
    page.write_text(render_comparison(cmp, "html", lang="ja"), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.title == "新旧対照表"
    head = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#changes th")]
    assert head == ["区分", "旧", "新", "役割", "業務"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#changes tr[class]")
    assert [r.get_attribute("class") for r in rows] == [c.kind for c in cmp.changes]
    moved = rows[0].find_elements(By.TAG_NAME, "td")
    # each side: department and text, and below it (smaller) where it stands, file and line
    assert [c.text.split("\n") for c in moved[:3]] == [
        ["移管"], ["営業部: 見積書の作成と価格の交渉", f"{d / '分掌_2025.txt'}:7"],
        ["受注センター: 見積書の作成と価格の交渉", f"{d / '分掌_2026.txt'}:12"]]
    where = moved[1].find_element(By.CSS_SELECTOR, "small.location")
    assert float(where.value_of_css_property("font-size")[:-2]) < float(moved[1].value_of_css_property("font-size")[:-2])
    assert moved[0].value_of_css_property("background-color") != rows[1].find_element(
        By.TAG_NAME, "td").value_of_css_property("background-color")
    sections = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert sections == ["変更点", "新たに生じた指摘事項", "解消した指摘事項", "担当部署が変わった業務"]
