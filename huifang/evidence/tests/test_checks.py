"""The pure checks: what a file is, photo fingerprints, distance and working hours."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from huifang.evidence.checks import (
    exif_taken_at,
    hamming,
    hamming_many,
    haversine_m,
    onsite_findings,
    phash_signed,
    sniff,
    sniff_kind,
    within_working_hours,
)
from huifang.evidence.models import AttachmentKind
from huifang.evidence.tests.conftest import AUDIO_HEADS, ooxml, pdf, picture, wav

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_pictures_are_photos_whatever_the_browser_says(fmt):
    data = picture(1, (320, 240), fmt=fmt)
    assert sniff_kind("x.bin", "application/octet-stream", data) == AttachmentKind.PHOTO
    assert sniff("x", "application/pdf", data).content_type == f"image/{fmt.lower()}"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("合同.pdf", pdf(), "application/pdf"),
        (
            "流水.docx",
            ooxml("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "报表.xlsx",
            ooxml("xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "application/vnd.ms-excel"),
    ],
)
def test_pdf_and_office_files_are_documents(name, data, content_type):
    assert sniff(name, "image/jpeg", data) == (AttachmentKind.DOCUMENT, content_type)


@pytest.mark.parametrize("case", [*AUDIO_HEADS, "wav"])
def test_recordings_are_known_by_their_first_bytes(case):
    name, data = ("rec.wav", wav()) if case == "wav" else AUDIO_HEADS[case]
    assert sniff_kind(name, "", data) == AttachmentKind.RECORDING


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", b"MZ\x90\x00" + bytes(200)),
        ("照片.jpg", b"just some text pretending to be a photo"),
        ("notes.txt", "回访笔记".encode()),
        ("archive.zip", ooxml("other/")),
        ("installer.msi", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(64)),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_anything_else_is_refused_with_its_name_in_the_message(name, data):
    with pytest.raises(ValueError, match=f"“{name}”的格式不支持") as exc:
        sniff_kind(name, "image/jpeg", data)
    assert "照片" in str(exc.value) and "录音" in str(exc.value)


def test_a_broken_picture_and_an_empty_file_are_refused():
    broken = picture(1, (320, 240))[:300]
    with pytest.raises(ValueError, match="“坏.jpg”已损坏或无法识别"):
        sniff_kind("坏.jpg", "image/jpeg", broken)
    with pytest.raises(ValueError, match="“空.jpg”是空的"):
        sniff_kind("空.jpg", "image/jpeg", b"")


def test_a_heic_photo_pillow_cannot_read_is_refused_with_advice():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    with pytest.raises(ValueError, match="HEIC.*JPEG"):
        sniff_kind("IMG_0001.HEIC", "image/heic", heic)


def test_the_same_picture_re_encoded_hashes_close_and_another_far():
    original = phash_signed(picture(7, (1600, 1200), quality=92))
    resized = phash_signed(picture(7, (640, 480), quality=55))
    as_png = phash_signed(picture(7, (800, 600), fmt="PNG"))
    other = phash_signed(picture(8, (1600, 1200), quality=92))
    assert hamming(original, resized) <= 4
    assert hamming(original, as_png) <= 4
    assert hamming(original, other) > 16


def test_hashes_fit_a_signed_64_bit_column_and_compare_in_bulk():
    hashes = [phash_signed(picture(seed, (200, 150))) for seed in range(20)]
    assert all(-(2**63) <= h < 2**63 for h in hashes)
    assert any(h < 0 for h in hashes)  # the top bit is used
    bulk = hamming_many(hashes[0], np.array(hashes, dtype=np.int64))
    assert list(bulk) == [hamming(hashes[0], h) for h in hashes]
    assert hamming(-1, 0) == 64 and hamming(5, 5) == 0


def test_exif_time_is_read_as_local_time_or_with_its_own_offset():
    data = picture(3, (320, 240), taken="2025:06:16 10:20:30")
    assert exif_taken_at(data, SHANGHAI) == datetime(2025, 6, 16, 10, 20, 30, tzinfo=SHANGHAI)
    assert exif_taken_at(picture(3, (320, 240)), SHANGHAI) is None
    img = Image.new("RGB", (10, 10))
    exif = Image.Exif()
    exif.get_ifd(0x8769).update({36867: "2025:06:16 02:00:00", 36881: "+00:00"})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    taken = exif_taken_at(out.getvalue(), SHANGHAI)
    assert taken == datetime(2025, 6, 16, 2, 0, tzinfo=UTC)
    assert taken.utcoffset() == timedelta(0)


def test_distances_on_the_earth():
    # Tian'anmen to the Bund: about 1,067 km.
    assert haversine_m(39.9087, 116.3975, 31.2400, 121.4900) == pytest.approx(1_067_000, rel=0.01)
    # One thousandth of a degree of latitude: about 111 m.
    assert haversine_m(30.0, 120.0, 30.001, 120.0) == pytest.approx(111.2, abs=0.5)
    assert haversine_m(30.0, 120.0, 30.0, 120.0) == 0


@pytest.mark.parametrize(
    ("clock", "working_day", "inside"),
    [
        ("08:29", True, False),
        ("08:30", True, True),
        ("12:00", True, True),
        ("18:30", True, True),
        ("18:31", True, False),
        ("12:00", False, False),
    ],
)
def test_working_hours(clock, working_day, inside):
    moment = datetime.fromisoformat(f"2025-06-16T{clock}").replace(tzinfo=SHANGHAI)
    assert within_working_hours(moment, hours="08:30-18:30", is_working_day=working_day) is inside


def test_malformed_working_hours_are_a_configuration_error():
    with pytest.raises(ValueError):
        within_working_hours(datetime(2025, 6, 16, 9), hours="9-6", is_working_day=True)  # noqa: DTZ001


def test_onsite_findings_name_what_is_wrong():
    base = {
        "occurred_local": datetime(2025, 6, 16, 10, 0, tzinfo=SHANGHAI),
        "latitude": 30.0,
        "longitude": 120.0,
        "site_latitude": 30.0,
        "site_longitude": 120.0,
        "is_working_day": True,
        "hours": "08:30-18:30",
        "max_distance_m": 1000,
    }
    assert onsite_findings(**base) == {}
    far = onsite_findings(**{**base, "latitude": 30.02})
    assert far == {"far_from_site": {"distance_m": 2224, "max_distance_m": 1000}}
    assert set(onsite_findings(**{**base, "latitude": None, "site_longitude": None})) == {
        "no_location",
        "no_site_location",
    }
    assert onsite_findings(**{**base, "is_working_day": False})["off_hours"] == {
        "occurred_at": "2025-06-16 10:00",
        "working_day": False,
        "hours": "08:30-18:30",
    }
