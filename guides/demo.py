"""Demo data of the guides app, built once by portal.demo.build_demo (in 长春市).

Complete guides for the 县级 最低生活保障, 特困人员救助供养 and 临时救助 办事指南 items of
every 长春市 county-level unit and of the townships of 农安县 (农安镇 first among them, whose
guides the matters demo links to 农安县's entries), each with small sample forms (a PDF and a
DOCX made here), written through the real service; then the catalogs that were published
and unchanged before are published again through the real bulk service, so the public
pages show the guides. Items the matters demo linked to its 实施清单 get that entry's
online link, and their published guides its name and code.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from catalogs.models import Catalog, RegionLevel
from catalogs.permissions import SYSTEM
from guides.services import GuideInput, MaterialInput, QuestionInput, StepInput, guide_save
from items.models import Item
from items.publishing import catalogs_publish_many
from matters import selectors as matters_selectors

CITY = "2201"
TOWNSHIPS_OF = "220122"  # 农安县: its townships get guides too
PORTAL = "https://zwfw.jl.gov.cn/"
PROGRESS = "https://zwfw.jl.gov.cn/jlszwfw/bjcx/"

# The service of each standard 办事指南 row, by its 一级事项.
GUIDES = {
    "最低生活保障": {
        "legal_basis": "《社会救助暂行办法》（国务院令第649号）第二章；《吉林省最低生活保障办法》",
        "conditions": (
            "持有本县（市、区）户籍的居民，共同生活的家庭成员人均收入低于当地最低生活保障标准，"
            "且家庭财产状况符合当地有关规定的，可以申请最低生活保障。"
        ),
        "legal_days": 30,
        "promised_days": 20,
        "materials": [
            ("最低生活保障申请书", "original", 1, False, "pdf"),
            ("家庭经济状况核对授权书", "original", 1, False, "docx"),
            ("居民身份证、户口簿", "both", 1, True, ""),
            ("家庭成员收入证明", "original", 1, False, ""),
        ],
        "steps": [
            (
                "申请",
                "乡镇人民政府（街道办事处）",
                "当场受理",
                "申请人向户籍所在地乡镇（街道）提出书面申请，材料齐全的当场受理。",
            ),
            (
                "调查核实",
                "乡镇人民政府（街道办事处）",
                "10个工作日",
                "入户调查、邻里访问、信息核对，并在村（居）民委员会协助下民主评议。",
            ),
            (
                "审核公示",
                "乡镇人民政府（街道办事处）",
                "5个工作日",
                "提出审核意见，在申请人所在村（社区）公示7天。",
            ),
            ("审批", "{county}民政局", "5个工作日", "作出审批决定；不予批准的，书面说明理由。"),
        ],
        "questions": [
            (
                "外出务工的子女算不算共同生活的家庭成员？",
                "算。与申请人共同生活的子女即使外出务工，其收入也应计入家庭收入。",
            ),
            (
                "审批结果怎么知道？",
                "审批后在村（社区）张榜公布，也可拨打咨询电话或在网上查询办理进度。",
            ),
        ],
    },
    "特困人员救助供养": {
        "legal_basis": "《社会救助暂行办法》（国务院令第649号）第三章；《国务院关于进一步健全特困人员救助供养制度的意见》（国发〔2016〕14号）",
        "conditions": (
            "老年人、残疾人以及未满16周岁的未成年人，同时具备无劳动能力、无生活来源、"
            "无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力的，可以申请特困人员救助供养。"
        ),
        "legal_days": 40,
        "promised_days": 30,
        "materials": [
            ("特困人员救助供养申请书", "original", 1, False, "pdf"),
            ("居民身份证、户口簿", "both", 1, True, ""),
            ("残疾人证（残疾人申请时提供）", "both", 1, True, ""),
        ],
        "steps": [
            (
                "申请",
                "乡镇人民政府（街道办事处）",
                "当场受理",
                "本人或委托村（居）民委员会向户籍所在地乡镇（街道）提出书面申请。",
            ),
            ("审核", "乡镇人民政府（街道办事处）", "20个工作日", "调查核实、公示，提出审核意见。"),
            (
                "确认",
                "{county}民政局",
                "20个工作日",
                "作出确认决定，符合条件的自批准之日下月起给予救助供养。",
            ),
        ],
        "questions": [
            (
                "可以选择集中供养还是分散供养？",
                "可以。具备生活自理能力的，鼓励在家分散供养；完全或部分丧失生活自理能力的，优先集中供养。",
            ),
        ],
    },
    "临时救助": {
        "legal_basis": "《社会救助暂行办法》（国务院令第649号）第十一章；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
        "conditions": (
            "因火灾、交通事故等意外事件，或因家庭成员突发重大疾病等原因，导致基本生活暂时"
            "出现严重困难的家庭或个人，可以申请临时救助。"
        ),
        "legal_days": 15,
        "promised_days": 10,
        "materials": [
            ("临时救助申请书", "original", 1, False, "docx"),
            ("居民身份证、户口簿", "both", 1, True, ""),
            ("致困原因证明（医疗费用票据、事故证明等）", "copy", 1, False, ""),
        ],
        "steps": [
            (
                "申请",
                "乡镇人民政府（街道办事处）",
                "当场受理",
                "向户籍所在地或经常居住地乡镇（街道）提出申请；情况紧急的可先行救助。",
            ),
            ("审核", "乡镇人民政府（街道办事处）", "5个工作日", "调查核实，提出审核意见。"),
            ("审批", "{county}民政局", "5个工作日", "作出审批决定，救助金实行社会化发放。"),
        ],
        "questions": [
            (
                "急难情况等不及审批怎么办？",
                "对情况紧急的，乡镇（街道）可先行救助，救助后补齐手续。",
            ),
        ],
    },
}


def sample_pdf(title: str) -> bytes:
    """A small valid one-page PDF (text in ASCII: the sample's form number)."""
    text = f"Sample form: {title.encode('ascii', 'ignore').decode() or 'guide'}"
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def sample_docx(title: str) -> bytes:
    """A small valid Word document with the form's title and blanks to fill in."""
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>"
        for line in (title, "申请人姓名：________", "身份证号码：________", "联系电话：________")
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def _upload(name: str, kind: str):
    if kind == "pdf":
        return SimpleUploadedFile(f"{name}.pdf", sample_pdf(name), "application/pdf")
    return SimpleUploadedFile(f"{name}.docx", sample_docx(name), "application/octet-stream")


def guide_input(spec: dict, item: Item, matter) -> GuideInput:
    region = item.catalog.region
    county = region if region.level == RegionLevel.COUNTY else region.parent
    hall = f"{county.name}政务服务中心一楼社会救助窗口"
    location = hall if region.level == RegionLevel.COUNTY else f"{region.name}便民服务中心；{hall}"
    return GuideInput(
        values={
            "legal_basis": spec["legal_basis"],
            "conditions": spec["conditions"],
            "legal_days": spec["legal_days"],
            "promised_days": spec["promised_days"],
            "fee": "不收费",
            "location": location,
            "office_hours": "工作日 上午8:30—11:30，下午13:00—16:30（法定节假日除外）",
            "phone": region.contact_phone or county.contact_phone,
            "complaint_phone": "12345",
            "online_url": getattr(matter, "online_url", "") or PORTAL,
            "progress_url": PROGRESS,
        },
        materials=[
            MaterialInput(
                name=name,
                form=form,
                copies=copies,
                exempt_when_shared=exempt,
                upload=_upload(name, kind) if kind else None,
            )
            for name, form, copies, exempt, kind in spec["materials"]
        ],
        steps=[
            StepInput(seq, name, office.format(county=county.name), limit, text)
            for seq, (name, office, limit, text) in enumerate(spec["steps"], start=1)
        ],
        questions=[QuestionInput(q, a) for q, a in spec["questions"]],
    )


def seed(today: date) -> dict[str, int]:
    """Create the demo rows; returns counts to print. Runs once, after the catalogs exist."""
    catalogs = list(
        Catalog.objects.filter(
            region__path__startswith=_city_path(),
            standard__code="social-assistance",
        )
        .filter(region__level=RegionLevel.COUNTY)
        .select_related("region__parent")
    ) + list(
        Catalog.objects.filter(
            region__parent__code=TOWNSHIPS_OF,
            region__level=RegionLevel.TOWNSHIP,
            standard__code="social-assistance",
        ).select_related("region__parent")
    )
    # A catalog locked for review (已录入, 验收中) keeps its draft as the reviewers see it.
    catalogs = [catalog for catalog in catalogs if catalog.is_editable]
    if not catalogs:
        return {}
    # Only catalogs whose public version is their draft are published again: a catalog
    # the demo left with pending edits keeps them for its editor.
    republish = [c.pk for c in catalogs if c.last_published_at and not c.has_unpublished_changes]
    items = [
        item
        for item in Item.objects.filter(
            catalog__in=catalogs, level2__contains="办事指南", service_guide__isnull=True
        )
        .select_related("catalog__region__parent")
        .order_by("catalog_id", "seq")
        if item.level1 in GUIDES
    ]
    matters = matters_selectors.matters_for_items([item.pk for item in items])
    for item in items:
        guide_save(
            actor=SYSTEM,
            item=item,
            data=guide_input(GUIDES[item.level1], item, matters.get(item.pk)),
        )
    report = catalogs_publish_many(actor=SYSTEM, catalogs=republish, note="发布办事指南")
    return {"guides": len(items), "republished": report.published}


def _city_path() -> str:
    from catalogs.models import Region

    city = Region.objects.filter(code=CITY).only("path").first()
    return city.path if city else "\x00"
