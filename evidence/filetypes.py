"""What a file attached to an update really is, told from its content, never its name.

``file_check`` reads an uploaded file once (in chunks, so a large one is never held whole)
and either returns what was found (the name to show, the type, size and SHA-256) or raises
``AttachmentRefused`` with a sentence saying what is wrong and what to do. Nothing here
stores anything: ``evidence.services.attachment_add`` stores only what passed.

Accepted: PDF; Word, Excel and PowerPoint documents (.docx, .xlsx, .pptx); PNG, JPEG, GIF and
WebP images; CSV text. Refused: anything else, macro-enabled Office files (by extension,
content type or a ``vbaProject.bin`` inside), the old binary Office formats (.doc, .xls,
.ppt: their macros cannot be checked without a parser this product does not have), names
that could reach outside a folder, files over ``EVIDENCE_MAX_BYTES``, empty files, and zips
that would unpack to more than ``EVIDENCE_MAX_UNCOMPRESSED_BYTES`` (a zip bomb).
"""

import codecs
import hashlib
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from defusedxml import ElementTree
from django.conf import settings

from plans.uploads import MAX_COMPRESSION_RATIO, zip_expansion

CHUNK = 64 * 1024
MAX_NAME_LENGTH = 150
# A real Office file has tens to a few hundred parts.
MAX_ZIP_MEMBERS = 5_000
# [Content_Types].xml is a few kilobytes in a real file.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# 50 megapixels: a photo from a good phone is 12 to 50; Pillow's own bomb limit is 89.
MAX_IMAGE_PIXELS = 50_000_000

ACCEPTED_SENTENCE = (
    "Attach a PDF, a Word, Excel or PowerPoint document (.docx, .xlsx, .pptx), an image "
    "(PNG, JPEG, GIF or WebP) or a CSV file."
)

_OOXML_MAIN = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook",
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
    ),
}
_IMAGES = {
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
    "gif": ("GIF", "image/gif"),
    "webp": ("WEBP", "image/webp"),
}
ACCEPTED_EXTENSIONS = frozenset({"pdf", "csv", *_OOXML_MAIN, *_IMAGES})
MACRO_EXTENSIONS = frozenset(
    {"docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"}
)
LEGACY_OFFICE = {"doc": "docx", "xls": "xlsx", "ppt": "pptx"}

MACRO_SENTENCE = (
    "This file contains macros (it is a macro-enabled Office file), so it cannot be attached: "
    "macros can run code on the computer of anyone who opens it. Save it without macros "
    "(for example as .docx or .xlsx) and attach that."
)

# What the first bytes say a file is, for "the name says X but the content is Y".
_MAGIC = [
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format (or password-protected) Office file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"#!", "a script"),
]
_TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class AttachmentRefused(ValueError):
    """The file cannot be attached; ``str()`` is the sentence to show. Nothing was stored."""


@dataclass(frozen=True)
class CheckedFile:
    """What ``file_check`` found in a file it accepted."""

    display_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def max_uncompressed_bytes() -> int:
    return settings.EVIDENCE_MAX_UNCOMPRESSED_BYTES


def size_display(size: int) -> str:
    """Bytes as people read them: "840 bytes", "120 KB", "1.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def name_check(name: str) -> str:
    """The name cleaned for display, or ``AttachmentRefused`` for one that names a path.

    The stored name is always random, so a name can never reach the disk or the bucket;
    a name with a folder in it is refused all the same, because it means the file did not
    come from a person choosing a file.
    """
    if not name or not name.strip():
        raise AttachmentRefused("The file has no name. Rename it and attach it again.")
    if (
        "\x00" in name
        or "/" in name
        or "\\" in name
        or name.strip() in {".", ".."}
        or name.startswith("..")
        or re.match(r"^[A-Za-z]:", name)
    ):
        raise AttachmentRefused(
            "The file's name includes a folder path (a slash, a backslash, '..' or a drive "
            "letter) or a hidden character, which is not allowed. Give the file a plain name, "
            "such as 'board-minutes.pdf', and attach it again."
        )
    # Control and formatting characters (a right-to-left override can make "exe.pdf" look
    # like "fdp.exe") are dropped; runs of spaces become one.
    cleaned = "".join(
        char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"}
    )
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFC", cleaned)).strip().strip(".")
    if "." not in cleaned or not cleaned.rsplit(".", 1)[0].strip():
        raise AttachmentRefused(
            "The file's name has no extension, such as .pdf or .docx, so its type cannot be "
            f"checked. Rename it and attach it again. {ACCEPTED_SENTENCE}"
        )
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, extension = cleaned.rsplit(".", 1)
        cleaned = f"{stem[: MAX_NAME_LENGTH - len(extension) - 2].rstrip()}….{extension}"
    return cleaned


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower()


def _what_it_is(head: bytes) -> str:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    return ""


def _mismatch(extension: str, head: bytes, expected: str) -> AttachmentRefused:
    found = _what_it_is(head)
    if found == expected:
        return AttachmentRefused(
            f"This file starts as {expected} but is damaged or incomplete, so it cannot be "
            "checked. Save it again and attach the new copy."
        )
    says = f"is not {expected}" if not found else f"is {found}, not {expected}"
    return AttachmentRefused(
        f"The file's name ends .{extension} but its content {says}. Attach the file as it "
        "was saved, with its own extension."
    )


def _read_all(file: BinaryIO) -> tuple[int, str, bytes, bytes]:
    """Size, SHA-256, first and last kilobyte, read in chunks and bounded by the limit."""
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > max_bytes():
            raise _too_big(size)
        digest.update(chunk)
        if len(head) < 1024:
            head = (head + chunk)[:1024]
        tail = (tail + chunk)[-1024:]
    file.seek(0)
    return size, digest.hexdigest(), head, tail


def _too_big(size: int) -> AttachmentRefused:
    return AttachmentRefused(
        f"The file is {'over ' if size > max_bytes() else ''}{size_display(size)}; each file "
        f"can be at most {size_display(max_bytes())}. Attach a smaller file, or save a "
        "shorter or compressed copy (for example a PDF of just the pages needed)."
    )


def file_check(*, name: str, file: BinaryIO, size: int | None = None) -> CheckedFile:
    """Check a file to attach (name, size, type from content); return what was found.

    ``size`` is what the upload declared, checked before anything is read; the bytes are
    counted all the same. Raises ``AttachmentRefused`` with a sentence.
    """
    display_name = name_check(name)
    extension = _extension(display_name)
    if extension in MACRO_EXTENSIONS:
        raise AttachmentRefused(MACRO_SENTENCE)
    if extension in LEGACY_OFFICE:
        raise AttachmentRefused(
            f"Old-format Office files (.{extension}) cannot be checked for macros here, so "
            f"they cannot be attached. Open it and save it as .{LEGACY_OFFICE[extension]} "
            "(File, Save as), then attach that."
        )
    if extension not in ACCEPTED_EXTENSIONS:
        raise AttachmentRefused(
            f"Files ending .{extension} cannot be attached. {ACCEPTED_SENTENCE}"
        )
    if size is not None and size > max_bytes():
        raise _too_big(size)
    size, sha256, head, tail = _read_all(file)
    if size == 0:
        raise AttachmentRefused(
            "The file is empty (0 bytes). Check you chose the right file and attach it again."
        )
    if extension == "pdf":
        content_type = _pdf_check(head, tail)
    elif extension in _OOXML_MAIN:
        content_type = _ooxml_check(file, extension=extension, head=head)
    elif extension in _IMAGES:
        content_type = _image_check(file, extension=extension, head=head)
    else:
        content_type = _csv_check(file, head=head)
    file.seek(0)
    return CheckedFile(
        display_name=display_name,
        extension=extension,
        content_type=content_type,
        size=size,
        sha256=sha256,
    )


def _pdf_check(head: bytes, tail: bytes) -> str:
    if not head.startswith(b"%PDF-"):
        raise _mismatch("pdf", head, "a PDF")
    if b"%%EOF" not in tail:
        raise AttachmentRefused(
            "This PDF is incomplete: its end is missing (it may not have finished "
            "downloading or saving). Save it again and attach the new copy."
        )
    return "application/pdf"


def _ooxml_check(file: BinaryIO, *, extension: str, head: bytes) -> str:
    main_part, main_type, content_type, what = _OOXML_MAIN[extension]
    expected = f"{'an' if what[0] in 'AEIOU' else 'a'} {what}"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise AttachmentRefused(
            f"This {what} is password-protected (or saved in an old format), so it cannot be "
            "checked. Remove the password (or save it as ."
            f"{extension}) and attach it again."
        )
    if not head.startswith(b"PK\x03\x04"):
        raise _mismatch(extension, head, expected)
    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _damaged(what) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise _bomb(what)
    total, worst = zip_expansion(members)
    if total > max_uncompressed_bytes() or worst > MAX_COMPRESSION_RATIO:
        raise _bomb(what)
    if any(member.flag_bits & 0x1 for member in members):
        raise _damaged(what)
    names = {member.filename for member in members}
    if any(n.casefold().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
        raise AttachmentRefused(MACRO_SENTENCE)
    types_member = archive.NameToInfo.get("[Content_Types].xml")
    if types_member is None or main_part not in names:
        raise _mismatch(extension, head, expected)
    if types_member.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _bomb(what)
    try:
        with archive.open(types_member) as stream:
            root = ElementTree.fromstring(stream.read(MAX_CONTENT_TYPES_BYTES + 1))
        declared = {
            element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
            for element in root
            if element.tag.endswith("Override")
        }
        defaults = [element.get("ContentType", "") for element in root]
    except Exception as error:  # defusedxml, expat and zlib raise a dozen types
        raise _damaged(what) from error
    every_type = " ".join([*declared.values(), *defaults]).casefold()
    if "macroenabled" in every_type or "vbaproject" in every_type:
        raise AttachmentRefused(MACRO_SENTENCE)
    if declared.get(main_part) != main_type:
        raise _mismatch(extension, head, expected)
    # Read every part once, counting what really comes out (declared sizes can lie) and
    # letting zipfile check each part's CRC: a damaged file is refused, not stored.
    unpacked = 0
    try:
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > max_uncompressed_bytes():
                        raise _bomb(what)
    except AttachmentRefused:
        raise
    except Exception as error:
        raise _damaged(what) from error
    return content_type


def _damaged(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        f"This {what} is damaged or encrypted, so it cannot be checked. Open it, save a new "
        "copy (without a password) and attach that."
    )


def _bomb(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        f"This {what} would unpack to far more data than a document holds (over "
        f"{size_display(max_uncompressed_bytes())}), so it was not opened. Save a new copy "
        "and attach that."
    )


def _image_check(file: BinaryIO, *, extension: str, head: bytes) -> str:
    from PIL import Image

    wanted, content_type = _IMAGES[extension]
    expected = {"PNG": "a PNG image", "JPEG": "a JPEG image", "GIF": "a GIF image"}.get(
        wanted, "a WebP image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[wanted]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise AttachmentRefused(
                        f"This image is {width:,} × {height:,} pixels, more than the "
                        f"{MAX_IMAGE_PIXELS // 1_000_000} million this service accepts. "
                        "Save a smaller copy and attach that."
                    )
                image.verify()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise AttachmentRefused(
            f"This image has more than the {MAX_IMAGE_PIXELS // 1_000_000} million pixels this "
            "service accepts. Save a smaller copy and attach that."
        ) from error
    except Exception as error:  # Pillow raises many types for a bad or lying image
        raise _mismatch(extension, head, expected) from error
    return content_type


def _csv_check(file: BinaryIO, *, head: bytes) -> str:
    if _what_it_is(head):
        raise _mismatch("csv", head, "CSV text")
    file.seek(0)
    utf8 = True
    decoder = codecs.getincrementaldecoder("utf-8")()
    while chunk := file.read(CHUNK):
        if _TEXT_CONTROLS.search(chunk):
            raise AttachmentRefused(
                "The file's name ends .csv but its content is not text (it holds control "
                "characters such as NUL). Export the table as CSV again and attach that."
            )
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False  # read as Windows text (Latin-1 or Windows-1252), as Excel does
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "text/csv; charset=utf-8" if utf8 else "text/csv; charset=windows-1252"
