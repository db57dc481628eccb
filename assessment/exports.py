"""The assessment report of a city or the province as xlsx: scores, ranking and the grid."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from assessment.models import Dimension
from assessment.scoring import Assessment
from assessment.selectors import children_of
from catalogs.models import Region
from catalogs.spreadsheets import workbook_text_only, xlsx_value


def report_workbook(result: Assessment, region: Region) -> bytes:
    workbook = Workbook()
    names = result.indicator_names
    sheet = workbook.active
    sheet.title = "得分与排名"
    own = result.of(region)
    sheet.append([xlsx_value(f"{region.name}{result.year}年度目标责任制评估报告")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([xlsx_value(f"评分方案：{result.scheme}")])
    if own is not None:
        sheet.append(["本级得分", own.score])
    sheet.append([])
    sheet.append(["排名", "区划代码", "名称", "得分", *names, "事项数"])
    for score in children_of(result, region):
        sheet.append(
            [
                score.rank,
                xlsx_value(score.region.code),
                xlsx_value(score.region.name),
                score.score,
                *(score.indicators[name] for name in names),
                score.items,
            ]
        )
    grid = workbook.create_sheet("事项评分")
    grid.append(
        [
            "区划代码",
            "地区",
            "领域",
            "序号",
            "事项",
            *(label for _v, label in Dimension.choices),
            "说明",
        ]
    )
    for row in result.grid.rows:
        if not row.catalog.region.path.startswith(region.path):
            continue
        marks = row.marks
        grid.append(
            [
                xlsx_value(row.catalog.region.code),
                xlsx_value(row.catalog.region.name),
                xlsx_value(row.catalog.standard.field),
                row.item.seq,
                xlsx_value(row.item.level2 or row.item.level1),
                *(marks[dim] for dim in Dimension.values),
                xlsx_value(
                    "；".join(f"{Dimension(d).label}：{why}" for d, _m, _o, why in row.cells)
                ),
            ]
        )
    # Names and reasons come from people: never let one of them run as a formula.
    workbook_text_only(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
