"""Writes the robustness fixture files in data/ (run once; the files are committed).

    python tests/robustness/make_fixtures.py
"""

import codecs
import json
from pathlib import Path

D = Path(__file__).resolve().parent / "data"
LINES = ["新規顧客への提案営業を担当します。", "受注処理と在庫管理", "ＷＥＢ広告の運用とＳＥＯ対策", "月給３０万円"]


def main() -> None:
    D.mkdir(exist_ok=True)
    text = "\n".join(LINES) + "\n"
    (D / "utf8.txt").write_bytes(text.encode("utf-8"))
    (D / "utf8_bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (D / "utf16.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-16"))  # BOM + CRLF
    (D / "cp932.txt").write_bytes(text.encode("cp932"))
    (D / "eucjp.txt").write_bytes(text.encode("euc_jp"))
    csv_text = "id,text\n" + "".join(f"r{i},{t}\n" for i, t in enumerate(LINES))
    (D / "excel_sjis.csv").write_bytes(csv_text.replace("\n", "\r\n").encode("cp932"))
    (D / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (D / "cr.txt").write_bytes(text.replace("\n", "\r").encode("utf-8"))
    (D / "halfwidth.txt").write_bytes("ﾃﾚｱﾎﾟと訪問営業\nＭＡツールの運用\n".encode("utf-8"))
    (D / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (D / "nul_line.jsonl").write_bytes(
        ('{"text": "受注処理と在庫管理"}\n').encode() + b'{"text": "abc\x00def"}\n' + '{"text": "提案営業"}\n'.encode()
    )
    (D / "undecodable.txt").write_bytes(
        "受注処理と在庫管理\n".encode() + b"\xff\xfe\xfa broken\n" + "提案営業\n".encode() + ("展示会の企画\n" * 3000).encode()
    )
    (D / "empty.txt").write_bytes(b"")
    (D / "blank_lines.txt").write_bytes("\n\n   \n受注処理\n\n\n提案営業\n\n".encode())
    (D / "no_text_column.csv").write_text("id,body\n1,受注処理\n", encoding="utf-8")
    (D / "ragged.csv").write_text("id,text\n1,受注処理\n2,提案営業,extra\n3,展示会の企画\n", encoding="utf-8")
    (D / "malformed.jsonl").write_text('{"text": "受注処理"}\n{"text": "提案営業"\n[1, 2]\n{"text": "展示会の企画"}\n', encoding="utf-8")
    (D / "nonstring.jsonl").write_text(
        json.dumps({"text": "受注処理"}) + "\n" + json.dumps({"text": 42}) + "\n" + json.dumps({"text": None})
        + "\n" + json.dumps({"body": "x"}) + "\n" + json.dumps({"text": "提案営業"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
