"""The shape of a guide's parts in a published copy, and of a published guide in the API."""

from __future__ import annotations

from django.urls import reverse

from guides.models import GuideMaterial, GuideQuestion, GuideStep, MaterialForm, PublishedGuide


def material_data(row: GuideMaterial) -> dict:
    return {
        "name": row.name,
        "form": row.form,
        "form_label": MaterialForm(row.form).label if row.form in MaterialForm.values else "",
        "copies": row.copies,
        "exempt_when_shared": row.exempt_when_shared,
        "note": row.note,
        "file": row.file.name or "",
        "file_label": row.file_label,
        "file_type": row.file_type,
        "file_size": row.file_size,
    }


def step_data(row: GuideStep) -> dict:
    return {
        "seq": row.seq,
        "name": row.name,
        "office": row.office,
        "time_limit": row.time_limit,
        "description": row.description,
    }


def question_data(row: GuideQuestion) -> dict:
    return {"question": row.question, "answer": row.answer}


def file_path(public_id, number: int) -> str:
    """The public download path of a published guide's ``number``-th material file (1-based)."""
    return reverse("site:guides_file", args=[public_id, number])


def guide_payload(guide: PublishedGuide, *, base_url: str = "") -> dict:
    """Every part of a published guide, for the API (``base_url``: scheme://host)."""
    page = reverse("site:guides_detail", args=[guide.public_id])
    return {
        "name": guide.name,
        "title": guide.title,
        "matter": (
            {"code": guide.matter_code, "name": guide.matter_name}
            if guide.matter_code or guide.matter_name
            else None
        ),
        "html_url": base_url + page,
        "legal_basis": guide.legal_basis,
        "conditions": guide.conditions,
        "materials": [
            {
                "name": material.get("name", ""),
                "form": material.get("form", ""),
                "form_label": material.get("form_label", ""),
                "copies": material.get("copies", 1),
                "exempt_when_shared": bool(material.get("exempt_when_shared")),
                "note": material.get("note", ""),
                "file": (
                    {
                        "name": material.get("file_label", ""),
                        "content_type": material.get("file_type", ""),
                        "size": material.get("file_size", 0),
                        "url": base_url + file_path(guide.public_id, number),
                    }
                    if material.get("file")
                    else None
                ),
            }
            for number, material in enumerate(guide.materials or [], start=1)
        ],
        "steps": [
            {
                "seq": step.get("seq"),
                "name": step.get("name", ""),
                "office": step.get("office", ""),
                "time_limit": step.get("time_limit", ""),
                "description": step.get("description", ""),
            }
            for step in guide.steps or []
        ],
        "legal_days": guide.legal_days,
        "promised_days": guide.promised_days,
        "fee": guide.fee,
        "location": guide.location,
        "office_hours": guide.office_hours,
        "phone": guide.phone,
        "complaint_phone": guide.complaint_phone,
        "online_url": guide.online_url,
        "progress_url": guide.progress_url,
        "questions": [
            {"question": q.get("question", ""), "answer": q.get("answer", "")}
            for q in guide.questions or []
        ],
    }
