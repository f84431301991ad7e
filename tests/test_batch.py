"""Batch printing from a roster: bad rows reported, good rows printed, merged/duplex/zip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fixtures import rosters
from pypdf import PdfReader

from forms.batch import BatchRequest, BatchSetupError, run_batch
from forms.identity import read_identity
from forms.registry import FORMS

DEFAULTS = """\
number_pattern: "荔浦二中劝返〔2026〕第{n:03d}号"
issue_date: 2026-03-13
学校:
  学校名称: 荔浦市第二初级中学
  所在乡镇: 修仁镇
  联系人: 莫老师
"""
NUMBER = re.compile(r"编号：(荔浦二中劝返〔2026〕第\d{3}号)")


def page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def starts(texts: list[str]) -> dict[str, int]:
    """Document number → 1-based page where it starts (the 编号 line tops page one)."""
    out: dict[str, int] = {}
    for index, text in enumerate(texts, start=1):
        match = NUMBER.search(text.replace("\r", "").replace("\n", ""))
        if match and match.group(1) not in out:
            out[match.group(1)] = index
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("batch")
    defaults = root / "defaults.yaml"
    defaults.write_text(DEFAULTS, encoding="utf-8")
    bad = root / "未返校花名册.xlsx"
    expected = rosters.bad_rows_xlsx(bad)
    gbk = root / "gbk.csv"
    rosters.gbk_csv(gbk)
    return {"root": root, "defaults": defaults, "bad": bad, "expected": expected, "gbk": gbk}


@pytest.fixture(scope="module")
def bad_run(workdir: dict[str, Any]) -> Any:
    out = workdir["root"] / "bad-run"
    result = run_batch(
        BatchRequest(
            "return_notice",
            workdir["bad"],
            "liupu-2026",
            out,
            defaults=workdir["defaults"],
            merged=out / "print.pdf",
            formats=("pdf",),
            duplex=True,
        )
    )
    return result, out


def read_errors(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_bad_rows_reported_good_rows_printed(bad_run: Any, workdir: dict[str, Any]) -> None:
    result, out = bad_run
    expected = workdir["expected"]
    assert result.rows == 13 and result.printed == 8 and result.failed == 5
    errors = {int(row["行号"]): row for row in read_errors(out / "errors.csv")}
    assert set(errors) == set(expected["bad"])
    by_kind = {kind: errors[line] for line, kind in expected["bad"].items()}
    assert by_kind["student.id_number"]["列"] == "D"
    assert by_kind["student.id_number"]["列名"] == "学生信息/身份证号"
    assert "校验码错误" in by_kind["student.id_number"]["原因"]
    assert by_kind["student.name"]["列"] == "B" and "必须填写" in by_kind["student.name"]["原因"]
    assert by_kind["student.grade"]["值"] == "高一"
    assert "不认识的年级" in by_kind["student.grade"]["原因"]
    assert re.search(r"与第5行是同一名学生", by_kind["duplicate"]["原因"])
    assert "文本" in by_kind["float_id"]["原因"]
    # One file per good student, named by number and name.
    names = sorted(p.name for p in result.files)
    assert names == sorted(f"{i + 1:03d}-{n}.pdf" for i, n in enumerate(expected["names"]))


def test_merged_duplex_each_document_starts_on_an_odd_page(
    bad_run: Any, workdir: dict[str, Any]
) -> None:
    result, out = bad_run
    texts = page_texts(out / "print.pdf")
    assert result.merged_pages == len(texts) == 16  # 8 one-page notices + 8 blank backs
    first_pages = starts(texts)
    assert len(first_pages) == 8
    assert all(page % 2 == 1 for page in first_pages.values())
    assert all(not texts[i].strip() for i in range(1, 16, 2))  # the backs are blank
    # Each notice is numbered from — 1 — on its own.
    assert all(re.search(r"—\s*1\s*—", texts[i]) for i in range(0, 16, 2))
    merged = PdfReader(out / "print.pdf", strict=True)  # written by forms.pdf_stream
    assert [item.title for item in merged.outline] == [
        f"{i + 1:03d} {name}" for i, name in enumerate(workdir["expected"]["names"])
    ]
    assert [merged.get_destination_page_number(item) + 1 for item in merged.outline] == sorted(
        first_pages.values()
    )
    assert merged.metadata is not None and merged.metadata["/Title"] == "劝返复学通知书（8份）"


def test_numbers_follow_roster_rows_and_bad_rows_keep_theirs(bad_run: Any) -> None:
    result, out = bad_run
    numbers = sorted(starts(page_texts(out / "print.pdf")))
    # Rows 1–8 are good; rows 9–13 (bad) keep 009–013 for when they are corrected.
    assert numbers == [f"荔浦二中劝返〔2026〕第{n:03d}号" for n in range(1, 9)]
    # A file cut out of a chunk identifies itself like a single render does.
    identity = read_identity(result.files[0])
    assert identity is not None
    assert identity["form_id"] == "return_notice" and identity["profile"] == "liupu-2026"
    assert identity["document_number"] == "荔浦二中劝返〔2026〕第001号"
    assert read_identity(out / "print.pdf") is None  # many documents: no single identity
    # Cut out of a chunk, a file keeps only its own QR code, not the whole chunk's.
    for path in result.files:
        page = PdfReader(path).pages[0]
        assert len(page["/Resources"]["/XObject"]) == 1


def test_numbering_stable_across_runs_and_workers(workdir: dict[str, Any]) -> None:
    seen = []
    for run, workers in (("a", 1), ("b", 2)):
        out = workdir["root"] / f"stable-{run}"
        result = run_batch(
            BatchRequest(
                "return_notice",
                workdir["gbk"],
                "liupu-2026",
                out,
                defaults=workdir["defaults"],
                merged=out / "print.pdf",
                start_number=41,
                workers=workers,
                chunk_size=2,
            )
        )
        assert result.printed == 5 and not result.errors
        assert result.files == []  # --merged alone: no individual files
        pages = starts(page_texts(out / "print.pdf"))
        assert list(pages.values()) == [1, 2, 3, 4, 5]  # simplex: one page each, in roster order
        seen.append(list(pages))
    assert seen[0] == seen[1] == [f"荔浦二中劝返〔2026〕第{n:03d}号" for n in range(41, 46)]


def test_zip_has_utf8_names(workdir: dict[str, Any]) -> None:
    out = workdir["root"] / "zip"
    result = run_batch(
        BatchRequest(
            "return_notice",
            workdir["gbk"],
            "liupu-2026",
            out,
            defaults=workdir["defaults"],
            formats=("pdf", "docx"),
            zip=True,
        )
    )
    assert result.zip_path is not None and result.files == []
    with zipfile.ZipFile(result.zip_path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos][:2] == ["001-韦堃.pdf", "001-韦堃.docx"]
        assert len(infos) == 10
        assert all(i.flag_bits & 0x800 for i in infos)  # names are UTF-8
        assert archive.read(infos[0]).startswith(b"%PDF")
    assert not (out / "errors.csv").exists()


def test_missing_batch_wide_fields_stop_before_printing(workdir: dict[str, Any]) -> None:
    with pytest.raises(BatchSetupError, match=r"发文日期（issue_date）.*学校 › 学校名称"):
        run_batch(
            BatchRequest("return_notice", workdir["gbk"], "liupu-2026", workdir["root"] / "x")
        )
    bad = workdir["root"] / "bad-defaults.yaml"
    bad.write_text("学校名: 某校\n", encoding="utf-8")
    with pytest.raises(BatchSetupError, match="“学校名”不是"):
        run_batch(
            BatchRequest(
                "return_notice", workdir["gbk"], "liupu-2026", workdir["root"] / "x", defaults=bad
            )
        )
    with pytest.raises(BatchSetupError, match="编号格式"):
        run_batch(
            BatchRequest(
                "return_notice",
                workdir["gbk"],
                "liupu-2026",
                workdir["root"] / "x",
                defaults=workdir["defaults"],
                number_pattern="第{n.__class__}号",
            )
        )


def test_check_only_prints_nothing(workdir: dict[str, Any]) -> None:
    out = workdir["root"] / "check"
    result = run_batch(
        BatchRequest(
            "return_notice",
            workdir["bad"],
            "liupu-2026",
            out,
            defaults=workdir["defaults"],
            check_only=True,
        )
    )
    assert result.printed == 8 and result.failed == 5
    assert sorted(p.name for p in out.iterdir()) == ["errors.csv"]


def test_progress_callback(workdir: dict[str, Any]) -> None:
    calls: list[tuple[int, int]] = []
    run_batch(
        BatchRequest(
            "return_notice",
            workdir["bad"],
            "liupu-2026",
            workdir["root"] / "progress",
            defaults=workdir["defaults"],
            merged=workdir["root"] / "progress" / "p.pdf",
            chunk_size=3,
        ),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (13, 13)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 4  # several chunks report as they finish


def test_cli_exit_codes(cli: Callable[..., Any], workdir: dict[str, Any]) -> None:
    out = workdir["root"] / "cli"
    common = ["--profile", "liupu-2026", "--defaults", workdir["defaults"], "--workers", "1"]
    result = cli(
        "batch", "return_notice", workdir["bad"], "--out", out, "--merged", out / "p.pdf", *common
    )
    assert result.exit_code == 1
    assert "已生成8份，失败5行" in result.output
    assert (out / "p.pdf").is_file() and (out / "errors.csv").is_file()
    result = cli(
        "batch", "return_notice", workdir["gbk"], "--out", out, "--merged", out / "q.pdf", *common
    )
    assert result.exit_code == 0, result.output
    assert "已生成5份，失败0行" in result.output
    assert not (out / "errors.csv").exists()  # the stale list from the first run is gone
    result = cli("batch", "return_notice", workdir["gbk"], "--out", out, "--profile", "liupu-2026")
    assert result.exit_code == 2 and "发文日期" in result.output
    result = cli(
        "batch", "return_notice", workdir["gbk"], "--out", out, "--profile", "jiaotan-2025"
    )
    assert result.exit_code == 2
    result = cli("batch", "return_notice", workdir["root"] / "none.xlsx", "--out", out, *common)
    assert result.exit_code == 2 and "找不到文件" in result.output
    result = cli("batch", "return_notice", workdir["gbk"], "--out", out, "--format", "odt", *common)
    assert result.exit_code == 2 and "不支持的输出格式" in result.output


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_registered_form_is_batchable_or_says_what_is_missing(
    form_id: str, workdir: dict[str, Any], sample: Callable[[str, str], dict[str, Any]]
) -> None:
    """A form landing in the registry works with batch: its sample's shared fields as
    defaults plus the roster's students print, or the setup error names the fields."""
    from forms.record_fields import leaves
    from forms.samples import profiles_with

    kind = FORMS[form_id]
    profiles = profiles_with(form_id)
    if not profiles:
        pytest.skip(f"no profile has {form_id}")
    profile = profiles[0]
    try:
        record = sample(form_id, profile.id)
    except FileNotFoundError:
        pytest.skip(f"no sample for {form_id}")
    # Everything but the student and guardian comes from the sample.
    shared = {k: v for k, v in record.items() if k not in ("student", "guardian", "number")}
    import yaml

    defaults = workdir["root"] / f"defaults-{form_id}.yaml"
    defaults.write_text(yaml.safe_dump(shared, allow_unicode=True), encoding="utf-8")
    out = workdir["root"] / f"form-{form_id}"
    fields = leaves(kind.model)
    request = BatchRequest(
        form_id, workdir["gbk"], profile.id, out, defaults=defaults, merged=out / "all.pdf"
    )
    if "student.name" not in fields:
        pytest.skip(f"{form_id} is not a per-student document")
    result = run_batch(request)
    assert result.printed + result.failed == 5
    assert result.failed == 0 or result.errors_csv is not None
    if result.printed:
        assert len(PdfReader(out / "all.pdf").pages) >= result.printed


def test_chunks_share_identical_font_subsets(workdir: dict[str, Any]) -> None:
    """Three chunks; a font whose subset is the same in every chunk is stored once."""
    out = workdir["root"] / "fonts"
    run_batch(
        BatchRequest(
            "return_notice",
            workdir["gbk"],
            "liupu-2026",
            out,
            defaults=workdir["defaults"],
            merged=out / "print.pdf",
            chunk_size=2,
        )
    )
    reader = PdfReader(out / "print.pdf", strict=True)
    per_page = []
    for page in reader.pages:
        refs = set()
        for font in page["/Resources"]["/Font"].values():
            target = font.get_object()
            if "/DescendantFonts" in target:
                target = target["/DescendantFonts"][0].get_object()
            descriptor = target["/FontDescriptor"].get_object()
            refs |= {
                descriptor.raw_get(k).idnum
                for k in ("/FontFile", "/FontFile2", "/FontFile3")
                if k in descriptor
            }
        per_page.append(refs)
    assert len(per_page) == 5
    chunks = [per_page[0], per_page[2], per_page[4]]  # chunks of two documents
    assert len(set().union(*chunks)) < sum(len(c) for c in chunks)


def test_an_html_xls_export_prints_like_an_xlsx(workdir: dict[str, Any]) -> None:
    """A web system's "export to Excel" (an HTML table named .xls) is a roster like any other."""
    roster = workdir["root"] / "学籍系统导出.xls"
    names = rosters.html_xls(roster, 3)
    out = workdir["root"] / "html-xls"
    result = run_batch(
        BatchRequest(
            "return_notice",
            roster,
            "liupu-2026",
            out,
            defaults=workdir["defaults"],
            overrides=[("未到校起始日期", "2026-03-02")],
            merged=out / "print.pdf",
        )
    )
    assert result.printed == 3 and not result.errors
    texts = page_texts(out / "print.pdf")
    assert [name in text for name, text in zip(names, texts, strict=True)] == [True] * 3
    assert any("网页表格" in note for note in result.notes)
