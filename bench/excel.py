"""Reading Excel: which library, measured on a 100,000-row sheet, and `tag` of it in bounded memory.

    pip install ".[bench]" python-calamine
    python bench/excel.py              # writes bench/EXCEL.md and bench/results/excel.json (about 5 minutes)
    python bench/excel.py --no-tag     # the read measurements only (well under a minute)

Input (generated, seeded): a workbook as an HR department keeps a job list -- a title row and a blank row above
the header (No., 部署, 職種, 仕事内容, 勤務地, 更新日, 募集人数), then 100,000 rows of Japanese job descriptions
(two to six sentences, some as ・ bullets on lines of their own -- Alt+Enter breaks in the cell --, 60 to 400
characters), a date column, and the 部署 cell merged over each block of 20 rows (5,000 merged ranges). The same
rows as CSV (UTF-8, the merged cells filled as Excel shows them) for the end-to-end comparison.

Each measurement is a new process: its time from opening the file to the last row (imports outside the timer)
and its peak RSS (the kernel's VmHWM of that process, which includes the interpreter and imports: the ``idle``
row is that floor). Read measurements iterate every row and count it, nothing else:

- openpyxl ``load_workbook(read_only=True, data_only=True)``, ``iter_rows(values_only=True)``: the raw library;
- ``roleclassify.io.readers.iter_records``: what `tag` reads (openpyxl's parser, plus the merge scan, the
  header search, the checks of the text cell and the records);
- python-calamine ``CalamineWorkbook.from_path(...).get_sheet_by_index(0).iter_rows()`` (Rust calamine);
- openpyxl's normal (not read-only) mode, which `audit` uses for its small 分掌表, for scale;
- the readers path on a quarter of the rows, to show its memory does not grow with the sheet.

Correctness on a small workbook made by openpyxl (with saved formula values written into its XML, as Excel
saves them) is checked for both libraries: merged ranges, dates, integers, saved formula values, a formula
saved without a value, an Excel error value.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"
HEADER = ["No.", "部署", "職種", "仕事内容", "勤務地", "更新日", "募集人数"]
BLOCK = 20  # rows per merged 部署 cell

_DEPTS = ["営業本部 第一営業部", "営業本部 法人営業部", "販売部 店舗運営課", "販売部 EC販売課", "マーケティング部",
          "経営企画部", "人事部", "経理部", "物流センター", "カスタマーサポート部"]
_JOBS = ["法人営業", "ルート営業", "店舗スタッフ", "EC運営", "販促企画", "広報", "経理事務", "人事労務", "倉庫管理",
         "コールセンター", "商品企画", "データ分析"]
_PLACES = ["東京都千代田区", "大阪府大阪市", "愛知県名古屋市", "福岡県福岡市", "北海道札幌市", "宮城県仙台市"]
_SENTENCES = [
    "新規顧客への提案営業を担当していただきます。", "既存のお取引先を定期的に訪問し、追加のご注文をいただきます。",
    "受注後は納期の調整や見積書の作成も行います。", "店頭での接客販売とレジ業務をお任せします。",
    "商品の陳列や在庫管理、発注業務も担当します。", "ECサイトの受注処理と出荷手配を行います。",
    "展示会やキャンペーンの企画から運営までを担います。", "広告の効果測定を行い、次の施策を立案します。",
    "市場調査の結果をもとに新商品のコンセプトを検討します。", "SNSでの情報発信とプレスリリースの作成を担当します。",
    "月次決算や請求書の発行など経理業務全般をお願いします。", "社員の勤怠管理や給与計算を担当していただきます。",
    "お客様からのお問い合わせに電話とメールで対応します。", "入荷した商品の検品とピッキング作業を行います。",
    "チームリーダーとしてメンバー5名の育成にも携わっていただきます。",
    "未経験の方も入社後3か月間の研修でしっかり学べます。", "売上データを分析し、営業部門へ改善案を提案します。",
]
_BULLETS = ["・顧客管理システムへの入力", "・見積書、請求書の作成", "・売場づくりと販促物の設置", "・週次の売上報告",
            "・取引先との電話、メール対応", "・新人スタッフの指導"]


def _text(rng: random.Random) -> str:
    body = "".join(rng.sample(_SENTENCES, rng.randint(2, 7)))
    if rng.random() < 0.3:  # a list typed with Alt+Enter inside the cell
        body += "\n【具体的には】\n" + "\n".join(rng.sample(_BULLETS, rng.randint(2, 4)))
    return body


def make_inputs(xlsx: Path, csv_path: Path | None, rows: int, seed: int = 0) -> dict[str, Any]:
    """Write the workbook (openpyxl write-only, then the merged ranges added to its sheet XML, where Excel puts
    them) and the same rows as CSV; returns the input's description."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("求人一覧")
    ws.append(["2025年度 募集職種一覧（人事部作成）"])
    ws.append([])
    ws.append(HEADER)
    first = 4
    chars = breaks = 0
    out = open(csv_path, "w", encoding="utf-8", newline="") if csv_path else None
    writer = csv.writer(out) if out else None
    if writer:
        writer.writerow(HEADER)
    day = datetime.date(2025, 4, 1)
    dept = ""
    for i in range(rows):
        text = _text(rng)
        chars += len(text)
        breaks += "\n" in text
        if i % BLOCK == 0:
            dept = rng.choice(_DEPTS)
        when = day + datetime.timedelta(days=rng.randint(0, 300))
        row = [i + 1, dept if i % BLOCK == 0 else None, rng.choice(_JOBS), text, rng.choice(_PLACES), when,
               rng.randint(1, 5)]
        ws.append(row)
        if writer:
            writer.writerow([row[0], dept, *row[2:5], when.isoformat() + "T00:00:00", row[6]])
    wb.save(xlsx)
    if out:
        out.close()
    merges = [f"B{first + b}:B{min(first + b + BLOCK - 1, first + rows - 1)}" for b in range(0, rows, BLOCK)]
    _as_excel_saves(xlsx, merges, rows)
    return {"rows": rows, "characters": chars, "mean_chars": round(chars / rows, 1), "cells_with_line_breaks": breaks,
            "merged_ranges": len(merges), "xlsx_bytes": xlsx.stat().st_size,
            "csv_bytes": csv_path.stat().st_size if csv_path else None}


_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t>'
                     r"</is></c>", re.S)
_ENTITY = re.compile(r"&#([0-9]+);")
_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _as_excel_saves(xlsx: Path, refs: list[str], rows: int) -> None:
    """Make openpyxl's write-only file look like one Excel saved: strings in a shared-string table as UTF-8
    (openpyxl writes each inline, every non-ASCII character as an ``&#NNNNN;`` entity: four times the XML),
    a ``<dimension>`` (openpyxl's reader scans the whole sheet for the size without one), and the merged
    ranges after the rows, where Excel puts them."""
    with zipfile.ZipFile(xlsx) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    table: dict[str, int] = {}

    def shared(m: re.Match[str]) -> str:
        text = _ENTITY.sub(lambda e: chr(int(e.group(1))), m.group(3))
        i = table.setdefault(text, len(table))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{i}</v></c>'

    xml = _INLINE.sub(shared, parts[name].decode())
    cells = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
    xml = xml.replace("</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{cells}</mergeCells>', 1)
    xml = xml.replace("</sheetPr>", f'</sheetPr><dimension ref="A1:G{rows + 3}"/>', 1)
    parts[name] = xml.encode()
    items = "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in table)  # already XML-escaped
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(table)}" uniqueCount="{len(table)}">{items}</sst>').encode()
    ct = "[Content_Types].xml"
    parts[ct] = parts[ct].replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST}"/>'
                                  "</Types>".encode())
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", f'<Relationship Type="{_SST_REL}" '
                                      'Target="sharedStrings.xml" Id="rIdSST"/></Relationships>'.encode())
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)


def with_row_heights(src: Path, dst: Path) -> None:
    """The workbook with a height on every row, as Excel saves rows whose cells wrap (Alt+Enter text)."""
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[name] = re.sub(rb'<row r="([0-9]+)"', rb'<row r="\1" spans="1:7" ht="45" customHeight="1"', parts[name])
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)


# ------------------------------------------------------------------ children: one measurement per process
def _child(kind: str, path: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    n = errors = 0
    if kind == "openpyxl":
        from openpyxl import load_workbook

        t0 = time.perf_counter()
        wb = load_workbook(path, read_only=True, data_only=True)
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            n += 1
        wb.close()
    elif kind == "openpyxl-open":  # the workbook opened, no row read: the shared-string table is loaded
        from openpyxl import load_workbook

        t0 = time.perf_counter()
        load_workbook(path, read_only=True, data_only=True).close()
    elif kind == "openpyxl-full":
        from openpyxl import load_workbook

        t0 = time.perf_counter()
        wb = load_workbook(path, data_only=True)
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            n += 1
    elif kind == "calamine":
        from python_calamine import CalamineWorkbook

        t0 = time.perf_counter()
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        for _ in sheet.iter_rows():
            n += 1
    elif kind == "readers":
        import openpyxl  # noqa: F401  (imported by the reader on first use: outside the timer as for the others)

        from roleclassify.errors import RecordError
        from roleclassify.io.readers import iter_records

        t0 = time.perf_counter()
        for r in iter_records([path]):
            if isinstance(r, RecordError):
                errors += 1
            else:
                n += 1
    else:
        raise SystemExit(f"unknown measurement {kind}")
    return {"seconds": round(time.perf_counter() - t0, 3), "rows": n, "errors": errors, "peak_rss_mb": _hwm(os.getpid())}


def _idle(kind: str) -> dict[str, Any]:
    """A process that imported what a reader imports and read nothing: the floor of the peak RSS figures
    (``seconds``: the imports)."""
    t0 = time.perf_counter()
    if kind == "idle":
        import openpyxl  # noqa: F401

        import roleclassify.errors  # noqa: F401
        import roleclassify.io.readers  # noqa: F401
    else:
        import python_calamine  # noqa: F401
    return {"seconds": round(time.perf_counter() - t0, 3), "rows": 0, "errors": 0, "peak_rss_mb": _hwm(os.getpid())}


def _hwm(pid: int) -> float:
    """Peak resident memory of a process in MB: the kernel's VmHWM, kept per address space (``ru_maxrss`` of a
    child would start at its parent's size at fork, so it cannot tell a small reader from the bench itself)."""
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return round(kb / 1024, 1)


def _measure(kind: str, path: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} failed ({out.returncode}): {out.stderr[-1000:]}")
    res: dict[str, Any] = json.loads(out.stdout)
    return res


def _tag(inp: Path, out: Path) -> dict[str, Any]:
    """``roleclassify tag INP -o OUT`` as a user runs it: wall time and peak RSS (its VmHWM, read every 50 ms
    while it runs: the mark only rises, so the last reading is its peak to within 50 ms of its end)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "roleclassify"), "tag", str(inp), "-o", str(out),
                             "--no-progress", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        try:
            peak = max(peak, _hwm(proc.pid))
        except (OSError, StopIteration):  # it has just exited
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"tag {inp} failed ({proc.returncode}): {err[-1000:]}")
    return {"seconds": round(wall, 1), "peak_rss_mb": peak, "output_bytes": out.stat().st_size}


# ------------------------------------------------------------------ correctness on a small workbook
def correctness(path: Path) -> dict[str, dict[str, bool]]:
    """What each library gives for the cells that matter (see the module docstring)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["部署", "仕事内容", "更新日", "人数", "式"])
    ws.append(["営業部", "提案営業\n見積作成", datetime.date(2025, 4, 1), 3, "=1+1"])
    ws.append([None, "ルート営業", None, None, "=A9"])
    ws.append([None, None, None, None, "=1/0"])
    ws.merge_cells("A2:A3")
    wb.save(path)
    _set_cached(path, {"E2": ("str", "2"), "E4": ("e", "#DIV/0!")})
    out: dict[str, dict[str, bool]] = {}

    from roleclassify.errors import RecordError
    from roleclassify.io.readers import iter_records

    got = list(iter_records([str(path)]))
    recs = [r for r in got if not isinstance(r, RecordError)]
    errs = [str(e) for e in got if isinstance(e, RecordError)]
    out["roleclassify readers (openpyxl)"] = {
        "merged cells filled": recs[1].fields["部署"] == "営業部",
        "line break kept": recs[0].text == "提案営業\n見積作成",
        "date is a date": recs[0].fields["更新日"] == "2025-04-01T00:00:00",
        "integer stays integer": recs[0].fields["人数"] == 3,
        "saved formula value": recs[0].fields["式"] == "2",
        "formula without a saved value told apart": recs[1].fields["式"] is None
        and not any("=A9" in str(r.fields) for r in recs),
        "Excel error told apart": recs[2].fields["式"] == "#DIV/0!" and not errs,
    }
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return out
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = list(sheet.iter_rows())
    merged = sheet.merged_cell_ranges or []
    out["python-calamine"] = {
        "merged cells filled": rows[2][0] == "営業部",  # calamine lists the ranges; the caller must fill them
        "merged ranges listed": ((1, 0), (2, 0)) in merged,
        "line break kept": rows[1][1] == "提案営業\n見積作成",
        "date is a date": isinstance(rows[1][2], datetime.date),
        "integer stays integer": isinstance(rows[1][3], int),
        "saved formula value": rows[1][4] == "2",
        "formula without a saved value told apart": rows[2][4] not in ("", None),
        "Excel error told apart": rows[3][4] not in ("", None),
    }
    return out


def _set_cached(path: Path, cached: dict[str, tuple[str, str]]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for ref, (t, v) in cached.items():
        m = re.search(rf'<c r="{ref}"><f>(.*?)</f><v\s*/?>(?:</v>)?</c>', xml)
        assert m is not None, ref
        xml = xml[:m.start()] + f'<c r="{ref}" t="{t}"><f>{m.group(1)}</f><v>{v}</v></c>' + xml[m.end():]
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, val in parts.items():
            z.writestr(k, val)


# ------------------------------------------------------------------ report
def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-tag", action="store_true", help="skip the end-to-end tag runs")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, path = args.child
        print(json.dumps(_idle(kind) if kind.startswith("idle") else _child(kind, path)))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    big, big_csv, small = WORK / "big.xlsx", WORK / "big.csv", WORK / "quarter.xlsx"
    t0 = time.perf_counter()
    info = make_inputs(big, big_csv, args.rows)
    make_inputs(small, None, args.rows // 4, seed=1)
    heights = WORK / "heights.xlsx"
    with_row_heights(big, heights)
    info["generate_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"inputs: {info}", file=sys.stderr)
    have_calamine = _version("python-calamine") != "not installed"
    reads: dict[str, Any] = {"idle: interpreter + openpyxl + readers imported": _measure("idle", big)}
    if have_calamine:
        reads["idle: interpreter + python-calamine imported"] = _measure("idle-calamine", big)
    for label, kind, path in [
        ("openpyxl read_only, opened only (its shared-string table loaded, no row read)", "openpyxl-open", big),
        ("openpyxl read_only, values_only", "openpyxl", big),
        ("roleclassify readers.iter_records (openpyxl)", "readers", big),
        ("python-calamine iter_rows", "calamine", big),
        ("openpyxl normal mode (as audit reads)", "openpyxl-full", big),
        (f"openpyxl read_only, {args.rows // 4:,} rows", "openpyxl", small),
        (f"roleclassify readers.iter_records, {args.rows // 4:,} rows", "readers", small),
        ("openpyxl read_only, every row with a height", "openpyxl", heights),
        ("roleclassify readers.iter_records, every row with a height", "readers", heights),
    ]:
        if kind == "calamine" and not have_calamine:
            reads[label] = {"skipped": "python-calamine not installed"}
            continue
        reads[label] = _measure(kind, path)
        print(f"{label}: {reads[label]}", file=sys.stderr)
    ends: dict[str, Any] = {}
    if not args.no_tag:
        ends["roleclassify tag big.xlsx -o out.xlsx"] = _tag(big, WORK / "out.xlsx")
        print(ends, file=sys.stderr)
        ends["roleclassify tag big.csv -o out.csv"] = _tag(big_csv, WORK / "out.csv")
        print(ends, file=sys.stderr)
        ends["roleclassify tag big.xlsx -o out.jsonl"] = _tag(big, WORK / "out.jsonl")
        ends["roleclassify tag big.csv -o out.jsonl"] = _tag(big_csv, WORK / "out.jsonl")
        print(ends, file=sys.stderr)
    result = {
        "measured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "versions": {d: _version(d) for d in ("openpyxl", "python-calamine", "lxml")},
        "input": info, "read": reads, "tag": ends, "correctness": correctness(WORK / "cells.xlsx"),
    }
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "excel.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
