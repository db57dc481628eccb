"""Excel workbooks of review: a city's roll-up and an acceptance report."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from catalogs.models import Region, RegionLevel
from catalogs.spreadsheets import workbook_text_only
from review.models import AcceptanceDecision, Decision, Finding, FindingState, Severity
from review.selectors.rollup import rollup_item_rows

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(workbook, title: str, columns: list[tuple[str, int]], rows, *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([name for name, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment, cell.border = WRAP, BORDER
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _bytes(workbook) -> bytes:
    workbook_text_only(workbook)  # editors' text never becomes a live formula
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# City roll-up (联系人信息和事项清单)
# ---------------------------------------------------------------------------

CONTACT_COLUMNS = [
    ("序号", 6),
    ("区划代码", 12),
    ("区划名称", 18),
    ("层级", 6),
    ("所属县(市、区)", 18),
    ("民政部门(单位)名称", 26),
    ("联系人", 12),
    ("联系电话", 16),
    ("电子邮箱", 24),
    ("办公地址", 30),
]
ITEM_COLUMNS = [
    ("区划代码", 12),
    ("区划名称", 18),
    ("层级", 6),
    ("领域", 10),
    ("目录状态", 10),
    ("序号", 6),
    ("一级事项", 20),
    ("二级事项", 30),
    ("公开主体", 24),
    ("是否已公开", 10),
    ("最近公开时间", 18),
]


def city_rollup_workbook(city: Region) -> bytes:
    """One workbook for the province: every county's and township's contact and item list."""
    regions = list(
        Region.objects.descendants_of(city)
        .catalog_holders()
        .select_related("parent")
        .order_by("path")
    )
    workbook = Workbook()
    contacts = []
    for number, region in enumerate(regions, start=1):
        county = region.parent.name if region.level == RegionLevel.TOWNSHIP else ""
        contacts.append(
            [
                number,
                region.code,
                region.name,
                region.get_level_display(),
                county,
                region.office_name,
                region.contact_name,
                region.contact_phone,
                region.contact_email,
                region.address,
            ]
        )
    _sheet(workbook, "联系人", CONTACT_COLUMNS, contacts, first=True)
    # What citizens see: the current publication of every compiling region's catalogs.
    rows = []
    for row in rollup_item_rows(city):
        catalog = row.catalog
        published_at = row.published_at
        rows.append(
            [
                catalog.region.code,
                catalog.region.name,
                catalog.region.get_level_display(),
                catalog.standard.field,
                catalog.get_status_display(),
                row.seq if row.seq is not None else "",
                row.level1,
                row.level2,
                row.subject,
                "是" if row.is_published else "否（尚未发布）",
                timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M") if published_at else "",
            ]
        )
    _sheet(workbook, "事项清单", ITEM_COLUMNS, rows)
    return _bytes(workbook)


def rollup_filename(city: Region, today) -> str:
    return f"{city.name}-联系人和事项清单-{today:%Y%m%d}.xlsx"


# ---------------------------------------------------------------------------
# Acceptance report (验收报告)
# ---------------------------------------------------------------------------

FINDING_COLUMNS = [
    ("序号", 6),
    ("来源", 10),
    ("规则", 12),
    ("严重程度", 8),
    ("事项 · 要素", 30),
    ("问题描述", 40),
    ("整改要求", 30),
    ("整改期限", 12),
    ("验收时状态", 12),
    ("当前状态", 12),
]

SOURCE_LABELS = {"rule": "自动检查", "reviewer": "人工审核"}


def report_findings(decision: AcceptanceDecision) -> list[dict]:
    """The findings frozen in the decision, each with its state now as well."""
    now_states = dict(
        Finding.objects.filter(pk__in=[entry["id"] for entry in decision.findings]).values_list(
            "pk", "state"
        )
    )
    rows = []
    for entry in decision.findings:
        current = now_states.get(entry["id"])
        rows.append(
            {
                **entry,
                "source_label": SOURCE_LABELS.get(entry["source"], entry["source"]),
                "severity_label": Severity(entry["severity"]).label,
                "state_label": FindingState(entry["state"]).label,
                "current_label": FindingState(current).label if current else "已删除",
            }
        )
    return rows


def acceptance_report_workbook(decision: AcceptanceDecision) -> bytes:
    catalog = decision.catalog
    workbook = Workbook()
    summary = workbook.active
    summary.title = "验收结论"
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 70
    findings = report_findings(decision)
    unresolved = sum(1 for f in findings if f["state"] not in ("verified", "resolved"))
    pairs = [
        ("目录", catalog.title),
        ("区划", f"{catalog.region.full_name}（{catalog.region.code}）"),
        ("验收结论", Decision(decision.decision).label),
        ("验收意见", decision.note),
        ("验收人", str(decision.decided_by or "系统")),
        ("验收时间", timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M")),
        ("事项数", decision.item_count),
        ("问题总数", len(findings)),
        ("验收时未解决问题", unresolved),
    ]
    summary.append(["验收报告", ""])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in pairs:
        summary.append([label, value])
    for row in summary.iter_rows(min_row=2):
        row[0].font = HEADER_FONT
        for cell in row:
            cell.alignment, cell.border = WRAP, BORDER
    rows = [
        [
            number,
            entry["source_label"],
            entry["rule_code"],
            entry["severity_label"],
            entry["anchor"],
            entry["description"],
            entry["required_fix"],
            entry["due_on"] or "",
            entry["state_label"],
            entry["current_label"],
        ]
        for number, entry in enumerate(findings, start=1)
    ]
    _sheet(workbook, "问题清单", FINDING_COLUMNS, rows)
    return _bytes(workbook)


def report_filename(decision: AcceptanceDecision) -> str:
    day = timezone.localtime(decision.decided_at)
    return f"{decision.catalog.region.name}-{decision.catalog.standard.field}-验收报告-{day:%Y%m%d}.xlsx"
