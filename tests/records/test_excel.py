import io
import time
import zipfile
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from catalogs.permissions import SYSTEM
from records.excel import (
    HEADER,
    RecordSheetError,
    records_export_workbook,
    records_import_apply,
    records_import_plan,
)
from records.models import DisclosureRecord, RecordChannel, RecordKind
from tests.records.conftest import TODAY, item_of


def sheet(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def names(county):
    return {seq: item_of(county, seq).level2 for seq in (1, 2, 3, 4)}


@pytest.fixture
def good_rows(names):
    return [
        (
            1,
            names[1],
            "关于调整低保标准的通知",
            "农民发〔2026〕12号",
            "2026-09-25",
            "2026/10/9",
            "政府网站",
            "https://www.nongan.gov.cn/zwgk/1.html",
            None,
            None,
        ),
        (
            1,
            names[1],
            "关于调整低保标准的通知",
            "",
            date(2026, 9, 25),
            datetime(2026, 10, 9),  # noqa: DTZ001 - Excel dates are naive
            "公开查阅点",
            "农安县民政局一楼大厅",
            None,
            None,
        ),
        (
            2,
            names[2],
            "2026年第三季度监督检查情况",
            "",
            "2026年10月8日",
            "2026年10月20日",
            "政府网站",
            "https://www.nongan.gov.cn/zwgk/2.html",
            None,
            None,
        ),
        (
            4,
            names[4],
            "低保审核对象公示",
            "",
            46294,
            46304,  # Excel serial dates
            "社区/企事业单位/村公示栏(电子屏)",
            "各村村务公开栏",
            "2026-10-09",
            "2026-10-19",
        ),
    ]


def plan(county, content, actor=SYSTEM):
    return records_import_plan(
        actor=actor, region=county.region, standard=county.standard, content=content, today=TODAY
    )


def apply(county, content, actor=SYSTEM, **options):
    return records_import_apply(
        actor=actor,
        region=county.region,
        standard=county.standard,
        content=content,
        today=TODAY,
        **options,
    )


def test_rows_of_one_record_are_grouped_and_imported(county, good_rows):
    # One file for both steps: openpyxl stamps each save with the time, to the second.
    content = sheet(good_rows)
    preview = plan(county, content)
    assert (len(preview.created), len(preview.changed), preview.rows) == (3, 0, 4)
    assert not DisclosureRecord.objects.exists()  # a plan writes nothing
    apply(county, content, expected_digest=preview.digest)
    notice = DisclosureRecord.objects.get(title="低保审核对象公示")
    assert (notice.formed_on, notice.published_on) == (date(2026, 9, 29), date(2026, 10, 9))
    assert notice.kind == RecordKind.NOTICE and notice.notice_end == date(2026, 10, 19)
    first = DisclosureRecord.objects.get(title="关于调整低保标准的通知")
    assert first.document_number == "农民发〔2026〕12号"
    assert first.due_on == date(2026, 10, 15) and first.item == item_of(county, 1)
    assert list(first.channels.values_list("channel", "url", "location")) == [
        ("政府网站", "https://www.nongan.gov.cn/zwgk/1.html", ""),
        ("公开查阅点", "", "农安县民政局一楼大厅"),
    ]
    assert first.history.first().history_change_reason == "Excel导入"


def test_importing_the_same_sheet_again_changes_nothing(county, good_rows):
    apply(county, sheet(good_rows))
    again = apply(county, sheet(good_rows))
    assert (len(again.created), len(again.changed), len(again.unchanged)) == (0, 0, 3)
    assert DisclosureRecord.objects.count() == 3 and RecordChannel.objects.count() == 4


def test_a_changed_row_updates_the_record_and_keeps_photos_of_kept_channels(county, good_rows):
    apply(county, sheet(good_rows))
    record = DisclosureRecord.objects.get(title="关于调整低保标准的通知")
    good_rows[0] = good_rows[0][:7] + ("https://www.nongan.gov.cn/zwgk/1-new.html",) + (None, None)
    result = apply(county, sheet(good_rows))
    assert [differing for _, _, differing in result.changed] == [["公开渠道"]]
    record.refresh_from_db()
    assert record.version == 2
    assert record.channels.get(channel="政府网站").url.endswith("1-new.html")


def test_export_gives_the_same_sheet_back(county, good_rows):
    apply(county, sheet(good_rows))
    exported = records_export_workbook(catalog=county)
    worksheet = load_workbook(io.BytesIO(exported)).active
    rows = list(worksheet.iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert len(rows) == 5
    assert rows[1][:8] == (
        1,
        good_rows[0][1],
        "关于调整低保标准的通知",
        "农民发〔2026〕12号",
        datetime(2026, 9, 25),  # noqa: DTZ001
        datetime(2026, 10, 9),  # noqa: DTZ001
        "政府网站",
        "https://www.nongan.gov.cn/zwgk/1.html",
    )
    again = plan(county, exported)
    assert (len(again.created), len(again.changed), len(again.unchanged)) == (0, 0, 3)


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, "x", "第2行“序号”列（A列）：“x”不是事项序号"),
        (0, 99, "第2行“序号”列（A列）：目录中没有第99项"),
        (1, "养老机构备案", "第2行“二级事项”列（B列）：“养老机构备案”与目录第1项"),
        (2, "", "第2行“信息标题”列（C列）：不能为空"),
        (4, "2026-13-01", "第2行“形成日期”列（E列）：“2026-13-01”不是日期"),
        (5, None, "第2行“发布日期”列（F列）：不能为空"),
        (6, "飞鸽传书", "第2行“公开渠道”列（G列）：“飞鸽传书”不是公开渠道"),
        (7, "ftp://x.cn/", "第2行“网址或位置”列（H列）"),
        (4, "2026-12-25", "第2行“形成日期”列（E列）：形成日期不能晚于今天"),
        (5, "2026-09-01", "第2行“发布日期”列（F列）：发布日期不能早于形成日期"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_written(county, good_rows, index, value, message):
    row = list(good_rows[0])
    row[index] = value
    good_rows[0] = tuple(row)
    with pytest.raises(RecordSheetError) as error:
        apply(county, sheet(good_rows))
    assert any(message in line for line in error.value.messages), error.value.messages
    assert not DisclosureRecord.objects.exists() and not RecordChannel.objects.exists()


def test_an_offline_channel_with_a_url_is_refused(county, good_rows):
    good_rows[1] = good_rows[1][:7] + ("https://x.cn/",) + (None, None)
    with pytest.raises(
        RecordSheetError, match="第3行“网址或位置”列（H列）：“公开查阅点”是线下渠道"
    ):
        apply(county, sheet(good_rows))


def test_rows_of_one_record_must_agree(county, good_rows):
    good_rows[1] = good_rows[1][:3] + ("另一个文号",) + good_rows[1][4:]
    with pytest.raises(RecordSheetError, match="第3行“文号”列（D列）：与第2行同一条信息的文号"):
        apply(county, sheet(good_rows))
    good_rows[1] = good_rows[0]
    with pytest.raises(
        RecordSheetError, match="第3行“公开渠道”列（G列）：同一条信息的“政府网站”重复"
    ):
        apply(county, sheet(good_rows))


def test_the_header_must_be_exact(county, good_rows):
    wrong = ("序号", "事项名称", *HEADER[2:])
    with pytest.raises(RecordSheetError, match="第1行表头应为且仅为"):
        apply(county, sheet(good_rows, header=wrong))
    with pytest.raises(RecordSheetError, match="第1行表头"):
        apply(county, sheet(good_rows, header=(*HEADER, "备注")))


def test_uploads_are_bounded_before_parsing(county):
    with pytest.raises(RecordSheetError, match="不是Excel工作簿"):
        plan(county, b"not a zip at all")
    with pytest.raises(RecordSheetError, match="超过10MB"):
        plan(county, b"0" * (10 * 1024 * 1024 + 1))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (101 * 1024 * 1024))
    with pytest.raises(RecordSheetError, match="解压后达101 MB"):
        plan(county, bomb.getvalue())


def test_too_many_rows(county, names, monkeypatch):
    monkeypatch.setattr("records.excel.reading.MAX_ROWS", 3)
    rows = [
        (1, names[1], f"标题{n}", "", "2026-09-25", "2026-10-09", "", "", None, None)
        for n in range(5)
    ]
    with pytest.raises(RecordSheetError, match="表格超过3行"):
        plan(county, sheet(rows))


def test_another_regions_user_is_refused(county, users, good_rows):
    with pytest.raises(PermissionDenied):
        plan(county, sheet(good_rows), actor=users.other_county_editor)
    with pytest.raises(PermissionDenied):
        apply(county, sheet(good_rows), actor=users.township_editor)
    apply(county, sheet(good_rows), actor=users.county_editor)
    assert (
        DisclosureRecord.objects.get(title="关于调整低保标准的通知").created_by
        == users.county_editor
    )


def test_a_stale_preview_is_refused(county, good_rows, make_record):
    content = sheet(good_rows)
    preview = plan(county, content)
    make_record(title="预览之后新增")
    with pytest.raises(RecordSheetError, match="请重新预览"):
        apply(county, content, expected_digest=preview.digest)
    assert DisclosureRecord.objects.count() == 1


def test_a_record_without_channels_round_trips(county, names):
    rows = [(3, names[3], "无渠道的信息", "", "2026-10-08", "2026-10-09", "", "", None, None)]
    apply(county, sheet(rows))
    assert DisclosureRecord.objects.get().channels.count() == 0
    again = plan(county, records_export_workbook(catalog=county))
    assert len(again.unchanged) == 1


def test_the_commands(county, good_rows, tmp_path, capsys):
    path = tmp_path / "records.xlsx"
    path.write_bytes(sheet(good_rows))
    call_command(
        "import_records",
        str(path),
        "--region",
        "220122",
        "--standard",
        "social-assistance",
        "--dry-run",
    )
    out = capsys.readouterr().out
    assert "试运行" in out and "新增3条" in out and not DisclosureRecord.objects.exists()
    call_command(
        "import_records", str(path), "--region", "220122", "--standard", "social-assistance"
    )
    assert "导入完成" in capsys.readouterr().out and DisclosureRecord.objects.count() == 3
    output = tmp_path / "out.xlsx"
    call_command(
        "export_records", "--region", "220122", "--standard", "social-assistance", "-o", str(output)
    )
    assert "已导出3条" in capsys.readouterr().out and output.stat().st_size > 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet([good_rows[0][:4] + ("昨天",) + good_rows[0][5:]]))
    with pytest.raises(CommandError, match="第2行“形成日期”列"):
        call_command(
            "import_records", str(bad), "--region", "220122", "--standard", "social-assistance"
        )
    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command(
            "import_records", str(path), "--region", "999999", "--standard", "social-assistance"
        )


def test_five_thousand_rows_import_quickly(county):
    items = [item_of(county, seq) for seq in range(1, 6)]
    rows = []
    for n in range(2500):
        item = items[n % 5]
        published = f"2026-{(n % 9) + 1:02d}-{(n % 27) + 2:02d}"
        rows.append(
            (
                item.seq,
                item.level2,
                f"信息{n}",
                "",
                "2026-01-02",
                published,
                "政府网站",
                f"https://www.nongan.gov.cn/zwgk/{n}.html",
                None,
                None,
            )
        )
        rows.append(
            (
                item.seq,
                item.level2,
                f"信息{n}",
                "",
                "2026-01-02",
                published,
                "政务服务中心",
                "农安县政务服务中心二楼",
                None,
                None,
            )
        )
    content = sheet(rows)
    started = time.perf_counter()
    result = apply(county, content)
    seconds = time.perf_counter() - started
    assert len(result.created) == 2500 and RecordChannel.objects.count() == 5000
    assert seconds < 10  # the bench measures the 5 s target without test overhead
