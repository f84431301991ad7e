"""Evidence package safety: traversal, links, bombs, nesting, GBK names, litter, inventory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fixtures.packages.zips import bomb_zip, make_zip, symlink_zip, traversal_zip

from audit.ingest import read_package
from audit.package import PackageError, PackageLimits, iter_package


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/evil", "/etc/passwd", "C:/Windows/evil.bat", "a/../../b.txt", "..\\..\\x"],
)
def test_path_traversal_rejects_whole_package(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "p.zip", traversal_zip(name))
    with pytest.raises(PackageError, match="非法路径"):
        read_package(path)


def test_symlink_in_zip_rejects_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="符号链接"):
        read_package(write(tmp_path, "p.zip", symlink_zip()))


def test_zip_bomb_rejected_by_ratio(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="压缩炸弹"):
        read_package(write(tmp_path, "bomb.zip", bomb_zip(20)))


def test_total_size_and_file_count_limits(tmp_path: Path) -> None:
    members = [(f"文件{i}.txt", b"x" * 1000) for i in range(20)]
    path = write(tmp_path, "p.zip", make_zip(members))
    with pytest.raises(PackageError, match="文件过多"):
        read_package(path, limits=PackageLimits(max_files=10))
    with pytest.raises(PackageError, match="超过上限"):
        read_package(path, limits=PackageLimits(max_total_bytes=5000))


def test_nested_bomb_is_one_error_entry_and_rest_is_read(tmp_path: Path) -> None:
    outer = make_zip(
        [("附件/数据.zip", bomb_zip(20)), ("工作方案.txt", "控辍保学工作方案".encode())]
    )
    facts = read_package(write(tmp_path, "p.zip", outer))
    by_path = {f.path: f for f in facts.files}
    assert by_path["附件/数据.zip"].status == "error"
    assert "压缩炸弹" in (by_path["附件/数据.zip"].reason or "")
    assert by_path["工作方案.txt"].kind == "work_plan"


def test_nested_zip_opened_to_the_depth_limit(tmp_path: Path) -> None:
    inner2 = make_zip([("深处/家访工作方案.txt", "家访工作方案".encode())])
    inner1 = make_zip([("二层.zip", inner2), ("请销假制度.txt", "请销假制度".encode())])
    outer = make_zip([("一层.zip", inner1)])
    path = write(tmp_path, "p.zip", outer)
    facts = read_package(path)
    kinds = {f.path: f.kind for f in facts.files}
    assert kinds["一层.zip/请销假制度.txt"] == "leave_system"
    assert kinds["一层.zip/二层.zip/深处/家访工作方案.txt"] == "home_visit_plan"
    shallow = read_package(path, limits=PackageLimits(max_depth=1))
    skipped = {f.path: f for f in shallow.files}["一层.zip/二层.zip"]
    assert skipped.status == "skipped" and "嵌套" in (skipped.reason or "")


@pytest.mark.parametrize("names", ["gbk", "raw-utf-8", "utf-8"])
def test_chinese_member_names_decoded(tmp_path: Path, names: str) -> None:
    data = make_zip([("四、送教上门/张三/送教记录.txt", "送教上门记录".encode())], names=names)
    facts = read_package(write(tmp_path, "p.zip", data))
    assert [f.path for f in facts.files] == ["四、送教上门/张三/送教记录.txt"]


def test_os_litter_skipped_with_reason(tmp_path: Path) -> None:
    members = [
        ("__MACOSX/._方案.docx", b"x"),
        (".DS_Store", b"x"),
        ("图片/Thumbs.db", b"x"),
        ("desktop.ini", b"x"),
        ("~$工作方案.docx", b"x"),
        (".~lock.台账.xlsx#", b"x"),
        ("工作方案.txt", "控辍保学工作方案".encode()),
    ]
    facts = read_package(write(tmp_path, "p.zip", make_zip(members)))
    statuses = {f.path: f.status for f in facts.files}
    assert statuses.pop("工作方案.txt") == "ok"
    assert set(statuses.values()) == {"skipped"}
    assert all(f.reason for f in facts.files if f.status == "skipped")


def test_inventory_has_sha256_and_size(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "一、部署").mkdir(parents=True)
    body = "控辍保学工作方案".encode()
    (root / "一、部署" / "工作方案.txt").write_bytes(body)
    (root / "说明.xyz").write_bytes(b"?")
    facts = read_package(root)
    entry = {f.path: f for f in facts.files}["一、部署/工作方案.txt"]
    assert entry.sha256 == hashlib.sha256(body).hexdigest() and entry.size == len(body)
    other = {f.path: f for f in facts.files}["说明.xyz"]
    assert other.status == "skipped" and "不支持" in (other.reason or "")


def test_directory_symlink_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "外部").symlink_to("/etc")
    (root / "密码").symlink_to("/etc/passwd")
    facts = read_package(root)
    assert {f.status for f in facts.files} == {"skipped"}
    assert all("符号链接" in (f.reason or "") for f in facts.files)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "没有这个包.zip", "找不到"),
        (lambda p: write(p, "x.zip", b"not a zip at all"), "不是文件夹"),
    ],
)
def test_unopenable_package(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PackageError, match=message):
        read_package(make(tmp_path))


def test_empty_package(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert read_package(tmp_path / "empty").files == []
    assert list(iter_package(write(tmp_path, "e.zip", make_zip([])))) == []
