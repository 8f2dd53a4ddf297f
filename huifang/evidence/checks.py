"""Pure checks on evidence: what a file is, photo fingerprints, distances and working hours.

No ORM and no request here: services load, call these, and save.
"""

import io
import math
import posixpath
import warnings
import zipfile
from datetime import datetime, time, tzinfo
from typing import NamedTuple

import imagehash
import numpy as np
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from huifang.evidence.models import AttachmentKind

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
_U64 = 1 << 64
_I64_MAX = (1 << 63) - 1

# Brands of ISO media files (bytes 8-12): HEIF stills, and audio-only MPEG-4.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
# Generic MPEG-4 brands, audio only when the file says so by its name (phone recorders).
_MP4_GENERIC_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"3gp4", b"3gp5", b"3gp6"}
_AUDIO_MP4_EXTENSIONS = {".m4a", ".aac", ".mp4a"}
# Old binary Office (and WPS) files are OLE2 compound files, as are installers: the name decides.
_OLE2_EXTENSIONS = {".doc", ".xls", ".ppt", ".wps", ".et", ".dps"}
_OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE2_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".dps": "application/vnd.ms-powerpoint",
}
_PILLOW_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class Sniffed(NamedTuple):
    kind: AttachmentKind
    content_type: str


# -- what a file is ---------------------------------------------------------------------------


def sniff_kind(name: str, content_type: str, data: bytes) -> AttachmentKind:
    """The kind of an uploaded file by its content, or ValueError with a Chinese message."""
    return sniff(name, content_type, data).kind


def sniff(name: str, content_type: str, data: bytes) -> Sniffed:
    """Kind and real content type of a file, from its magic bytes (the browser's word is ignored).

    Accepted: photos (JPEG, PNG, WebP, and HEIC when Pillow can read it), PDF and
    Office documents, recordings (MP3, M4A/AAC, AMR, WAV, Ogg).
    """
    del content_type  # what the browser claims decides nothing
    label = name or _("文件")
    if not data:
        raise ValueError(_("文件“%(name)s”是空的。") % {"name": label})
    ext = posixpath.splitext(name.lower())[1]
    head = data[:16]

    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(label, data)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _image(label, data)
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        try:
            return _image(label, data)
        except ValueError:
            raise ValueError(
                _(
                    "照片“%(name)s”是 HEIC 格式，系统无法读取。请在手机相机设置中选择“兼容性最佳”，或转换为 JPEG 后再上传。"
                )
                % {"name": label}
            ) from None

    if head.startswith(b"%PDF-"):
        return Sniffed(AttachmentKind.DOCUMENT, "application/pdf")
    if head.startswith(b"PK\x03\x04"):
        office = _ooxml_type(data)
        if office:
            return Sniffed(AttachmentKind.DOCUMENT, office)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and ext in _OLE2_EXTENSIONS:
        return Sniffed(AttachmentKind.DOCUMENT, _OLE2_TYPES[ext])

    audio = _audio_type(head, ext)
    if audio:
        return Sniffed(AttachmentKind.RECORDING, audio)

    raise ValueError(
        _(
            "文件“%(name)s”的格式不支持：只能上传照片（JPEG、PNG、WebP、HEIC）、"
            "PDF 或 Office 文档，以及录音（MP3、M4A、AAC、AMR、WAV、OGG）。"
        )
        % {"name": label}
    )


def _image(label: str, data: bytes) -> Sniffed:
    try:
        with open_photo(data, draft=(256, 256)) as img:
            fmt = img.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(_("照片“%(name)s”的像素过多，无法处理。") % {"name": label}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValueError(_("照片“%(name)s”已损坏或无法识别。") % {"name": label}) from None
    return Sniffed(AttachmentKind.PHOTO, _PILLOW_TYPES.get(fmt, "image/heic"))


def _ooxml_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, office_type in _OOXML_PARTS.items():
        if any(n.startswith(prefix) for n in names):
            return office_type
    return None


def _audio_type(head: bytes, ext: str) -> str | None:
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "audio/amr"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _M4A_BRANDS or (brand in _MP4_GENERIC_BRANDS and ext in _AUDIO_MP4_EXTENSIONS):
            return "audio/mp4"
        return None
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        # ADTS (raw AAC) has layer 0; MPEG audio frames (MP3) layers 1-3.
        return "audio/aac" if layer == 0 else "audio/mpeg"
    return None


# -- photos ---------------------------------------------------------------------------------


def open_photo(data: bytes, *, draft: tuple[int, int] | None = None) -> Image.Image:
    """A photo as it is shown (EXIF orientation applied), decoded at reduced size when allowed."""
    with warnings.catch_warnings():
        # Pillow only warns between 89 and 179 million pixels; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(io.BytesIO(data))
    if draft:
        # JPEG decodes at 1/2..1/8 scale directly: a 12 MP photo hashes in milliseconds.
        img.draft("RGB", draft)
    ImageOps.exif_transpose(img, in_place=True)  # also decodes it: a broken file fails here
    return img


def phash_signed(image_bytes: bytes) -> int:
    """The 64-bit perceptual hash of a photo, as a signed integer (fits a BigInteger column)."""
    with open_photo(image_bytes, draft=(256, 256)) as img:
        value = int(str(imagehash.phash(img)), 16)
    return value - _U64 if value > _I64_MAX else value


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes (signed or not)."""
    return ((a ^ b) % _U64).bit_count()


def hamming_many(target: int, hashes: np.ndarray) -> np.ndarray:
    """Hamming distances from one hash to an int64 array of hashes, vectorised."""
    return np.bitwise_count(np.bitwise_xor(hashes, np.int64(target)).view(np.uint64))


def exif_taken_at(image_bytes: bytes, tz: tzinfo) -> datetime | None:
    """EXIF DateTimeOriginal, aware: its own offset when recorded, otherwise `tz`."""
    try:
        with Image.open(io.BytesIO(image_bytes)) as img:
            exif = img.getexif().get_ifd(0x8769)  # the Exif sub-IFD
    except (OSError, ValueError, SyntaxError):
        return None
    raw, offset = exif.get(36867), exif.get(36881)  # DateTimeOriginal, OffsetTimeOriginal
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 — zone attached below
    except ValueError:
        return None
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(f"{moment.isoformat()}{offset.strip()}")
        except ValueError:
            pass
    return moment.replace(tzinfo=tz)


# -- where and when ----------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def onsite_findings(
    *,
    occurred_local: datetime | None,
    latitude: float | None,
    longitude: float | None,
    site_latitude: float | None,
    site_longitude: float | None,
    is_working_day: bool,
    hours: str,
    max_distance_m: int,
) -> dict[str, dict]:
    """What is wrong with where and when an on-site visit took place: {flag kind: detail}.

    domain.md, "Visit": on-site evidence includes the location and the time.
    """
    found: dict[str, dict] = {}
    if occurred_local is not None and not within_working_hours(
        occurred_local, hours=hours, is_working_day=is_working_day
    ):
        found["off_hours"] = {
            "occurred_at": occurred_local.strftime("%Y-%m-%d %H:%M"),
            "working_day": is_working_day,
            "hours": hours,
        }
    located = latitude is not None and longitude is not None
    site_known = site_latitude is not None and site_longitude is not None
    if not located:
        found["no_location"] = {}
    if not site_known:
        found["no_site_location"] = {}
    if located and site_known:
        distance = haversine_m(latitude, longitude, site_latitude, site_longitude)  # type: ignore[arg-type]
        if distance > max_distance_m:
            found["far_from_site"] = {
                "distance_m": round(distance),
                "max_distance_m": max_distance_m,
            }
    return found


def parse_hours(hours: str) -> tuple[time, time]:
    """'08:30-18:30' -> (08:30, 18:30)."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in hours.split("-"))
    except ValueError:
        raise ValueError(f"working hours must look like 08:30-18:30, not {hours!r}") from None
    if end <= start:
        raise ValueError(f"working hours end before they start: {hours!r}")
    return start, end


def within_working_hours(moment_local: datetime, *, hours: str, is_working_day: bool) -> bool:
    """True on a working day between the hours' start and end (both included), local time."""
    start, end = parse_hours(hours)
    return is_working_day and start <= moment_local.time().replace(tzinfo=None) <= end
