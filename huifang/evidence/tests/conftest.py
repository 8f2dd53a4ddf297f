"""Evidence tests: visits of two branches with their officers, and files made on the spot.

Pictures are drawn with Pillow from a seed (random shapes), so a "photo" and the
same photo re-encoded at another size and quality are easy to make; documents and
recordings are the few bytes their formats start with.
"""

import io
import random
import struct
import wave
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, actor_for
from huifang.evidence.models import Attachment, EvidenceFlag
from huifang.evidence.services import attachment_add
from huifang.followups.models import Visit


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Attachment files go to a folder of the test's own."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def picture(
    seed: int,
    size: tuple[int, int] = (1200, 900),
    *,
    fmt: str = "JPEG",
    quality: int = 90,
    taken: str | None = None,
) -> bytes:
    """A photo-like picture of random shapes; the same seed draws the same scene at any size."""
    rng = random.Random(seed)
    scene = Image.new("RGB", (400, 300), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(14):
        x0, y0 = rng.randrange(360), rng.randrange(260)
        box = (x0, y0, x0 + rng.randrange(40, 220), y0 + rng.randrange(40, 180))
        fill = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
    img = scene.resize(size, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    kwargs: dict = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    if taken:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = taken  # DateTimeOriginal
        kwargs["exif"] = exif
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def ooxml(part: str) -> bytes:
    """A minimal .docx ('word/') or .xlsx ('xl/') container."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<document/>")
    return out.getvalue()


def wav(seconds: float = 0.2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<h", 0) * int(8000 * seconds))
    return out.getvalue()


AUDIO_HEADS = {
    "mp3 (ID3)": ("录音.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(64)),
    "mp3 (frame)": ("rec.mp3", b"\xff\xfb\x90\x64" + bytes(64)),
    "aac": ("rec.aac", b"\xff\xf1\x50\x80" + bytes(64)),
    "m4a": ("rec.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + bytes(64)),
    "m4a (generic brand)": ("通话.m4a", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(64)),
    "amr": ("rec.amr", b"#!AMR\n" + bytes(64)),
    "ogg": ("rec.ogg", b"OggS\x00\x02" + bytes(64)),
}


@dataclass
class World:
    officer_a: User
    officer_a2: User
    officer_b: User
    reviewer_a: User
    risk_manager: User
    admin: User
    auditor: User
    visit_a: Visit  # A-0001, officer_a's
    visit_a_later: Visit  # another visit of A-0001, officer_a's
    visit_b: Visit  # B-0001 in branch B, officer_b's


def _assign(loan_no: str, user: User, nth: int = 0) -> Visit:
    visit = Visit.objects.filter(loan__loan_no=loan_no, subject_role="borrower").order_by(
        "due_date", "pk"
    )[nth]
    visit.assignee = user
    visit.save(update_fields=["assignee"])
    return Visit.objects.select_related("loan", "loan__borrower").get(pk=visit.pk)


@pytest.fixture
def world(two_branches) -> World:
    officer_a = two_branches[Role.OFFICER]
    return World(
        officer_a=officer_a,
        officer_a2=User.objects.create_user(
            username="officer_a2", role=Role.OFFICER, branch=officer_a.branch
        ),
        officer_b=User.objects.get(username="officer_b"),
        reviewer_a=two_branches[Role.REVIEWER],
        risk_manager=two_branches[Role.RISK_MANAGER],
        admin=two_branches[Role.ADMIN],
        auditor=two_branches[Role.AUDITOR],
        visit_a=_assign("A-0001", officer_a),
        visit_a_later=_assign("A-0001", officer_a, nth=1),
        visit_b=_assign("B-0001", User.objects.get(username="officer_b")),
    )


def actor(user: User) -> Actor:
    return actor_for(user, via="web", ip="127.0.0.1")


def add(
    visit: Visit, user: User, data: bytes, name: str = "现场.jpg", content_type: str = "image/jpeg"
) -> tuple[Attachment, list[EvidenceFlag]]:
    return attachment_add(
        visit=visit, name=name, content_type=content_type, data=data, user=user, actor=actor(user)
    )


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def site(visit: Visit, lat: str | None, lng: str | None) -> None:
    """Put the borrower's business site at these coordinates (or nowhere)."""
    borrower = visit.loan.borrower
    borrower.latitude = Decimal(lat) if lat else None
    borrower.longitude = Decimal(lng) if lng else None
    borrower.save(update_fields=["latitude", "longitude"])


def local(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
