"""Photos as bytes: what they are, when and where they were taken, and their thumbnail.

Pillow reads everything: the format from the file's header, EXIF ``DateTimeOriginal``
(the Exif IFD, as phones and cameras write it) and the GPS IFD (latitude/longitude as
degree-minute-second rationals with their N/S, E/W references). An image is opened lazily
and its size checked against :data:`MAX_PIXELS` before any pixel is decoded, so a
decompression bomb is refused in one line (Pillow's own guard, at twice its warning
limit, too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import struct
import warnings
from typing import Any

import attrs
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from citymap.i18n import _

__all__ = ["ImageInfo", "MAX_BYTES", "MAX_PIXELS", "THUMB_PX", "FORMATS", "inspect_image",
           "make_thumbnail", "sha256_hex"]

#: Largest photo accepted, in bytes (a phone photo is 2–15 MB).
MAX_BYTES = 50 * 1024 * 1024
#: Largest photo accepted, in pixels (a 108-megapixel phone camera fits).
MAX_PIXELS = 120_000_000
#: The longest side of a thumbnail, in pixels.
THUMB_PX = 320
#: Formats kept (Pillow's name → the extension the original is stored under).
FORMATS: dict[str, str] = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}

_DATE_TAGS = (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized)


@attrs.frozen
class ImageInfo:
    """What a photo says about itself.

    Attributes
    ----------
    format
        Pillow's format name (``JPEG``, ``PNG``, ``WEBP``; ``MPO`` is a phone JPEG).
    width, height
        Pixels as stored (before the EXIF orientation is applied).
    taken
        EXIF ``DateTimeOriginal`` (else ``DateTimeDigitized``) as a day, if present and valid.
    lat, lon
        EXIF GPS position in degrees (WGS 84, as phones record it), if present and valid.
    """

    format: str
    width: int
    height: int
    taken: dt.date | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def extension(self) -> str:
        """The extension the original is stored under."""
        return FORMATS[self.format]


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits (a photo's identity)."""
    return hashlib.sha256(data).hexdigest()


def _open(data: bytes) -> Image.Image:
    """Open ``data`` lazily (header only), refusing what is not a kept format or too big.

    Raises
    ------
    ValueError
        One sentence: what the file is and what to do.
    """
    if len(data) > MAX_BYTES:
        raise ValueError(_("is {mb:.0f} MB, more than the {limit} MB a photo may have: save "
                           "a smaller copy")
                         .format(mb=len(data) / 1048576, limit=MAX_BYTES // 1048576))
    with warnings.catch_warnings():
        # the size is checked below against MAX_PIXELS; Pillow's own guard (twice its
        # warning limit) stays an error
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise ValueError(_("has more than the {limit} megapixels a photo may have (a "
                               "decompression bomb?): save a smaller copy")
                             .format(limit=MAX_PIXELS // 1_000_000)) from None
        except UnidentifiedImageError:
            raise ValueError(_("is not an image citymap reads (JPEG, PNG or WebP): save it as "
                               "JPEG")) from None
        except (OSError, SyntaxError, struct.error) as exc:
            raise ValueError(_("is a damaged image ({error}): save it again as JPEG")
                             .format(error=exc)) from None
    if img.format not in FORMATS:
        raise ValueError(_("is a {format} image; citymap keeps JPEG, PNG and WebP: save it as "
                           "JPEG").format(format=img.format))
    w, h = img.size
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
        raise ValueError(_("is {width}×{height} pixels, more than the {limit} megapixels a photo "
                           "may have (a decompression bomb?): save a smaller copy")
                         .format(width=w, height=h, limit=MAX_PIXELS // 1_000_000))
    return img


def _exif_day(text: Any) -> dt.date | None:
    """``YYYY:MM:DD HH:MM:SS`` (EXIF's form) → the day; None when absent or invalid."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    if not isinstance(text, str):
        return None
    text = text.strip("\x00 ")
    try:
        return dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").date()
    except ValueError:
        try:
            return dt.datetime.strptime(text[:10], "%Y:%m:%d").date()
        except ValueError:
            return None


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """Three EXIF rationals (degrees, minutes, seconds) and a reference → signed degrees."""
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    if not math.isfinite(deg):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip("\x00 ").upper() == negative:
        deg = -deg
    return deg


def _exif(img: Image.Image) -> tuple[dt.date | None, float | None, float | None]:
    try:
        exif = img.getexif()
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: the photo has no metadata
        return None, None, None
    taken = None
    for tag in _DATE_TAGS:
        taken = _exif_day(sub.get(tag))
        if taken is not None:
            break
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef),
                   "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) \
            or (lat == 0 and lon == 0):
        lat = lon = None
    return taken, lat, lon


def inspect_image(data: bytes) -> ImageInfo:
    """Format, size, EXIF date and GPS position of a photo, without decoding its pixels.

    Raises
    ------
    ValueError
        If ``data`` is not a JPEG/PNG/WebP image, is damaged, or is too big.
    """
    img = _open(data)
    with img:
        taken, lat, lon = _exif(img)
        return ImageInfo(str(img.format), img.size[0], img.size[1], taken, lat, lon)


def make_thumbnail(data: bytes, *, size: int = THUMB_PX) -> bytes:
    """A JPEG thumbnail of a photo: the EXIF orientation applied, longest side ``size``
    pixels, no metadata (the GPS position stays in the original only).

    Raises
    ------
    ValueError
        If the image cannot be decoded.
    """
    img = _open(data)
    with img, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # size checked
        try:
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (size * 2, size * 2))
            img.load()
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((size, size), Image.Resampling.LANCZOS)
            if upright.mode != "RGB":
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=82, optimize=True)
        except (OSError, SyntaxError, ValueError, struct.error) as exc:
            raise ValueError(_("is a damaged image ({error}): save it again as JPEG")
                             .format(error=exc)) from None
    return out.getvalue()
