"""Published bundles: the source files of each published knowledge version, kept in the database
so every replica serves what was published, not what its own disk holds.

A bundle is the base's YAML files as written (file name -> text), as gzip-compressed JSON. The
files rather than a serialisation of the loaded models: a replica reads them through the same
reader and checks as `kb check` does, so it serves exactly what was validated, a problem is named
by file and line, and no model round trip (defaults, normalising validators, a newer schema) can
change the content. The shipped base: 1.51 MB of text, 424 KB stored; gzip level 6 packs it in
58 ms and unpacks it in 6 ms (level 9 saves 0.6% for 60% more time).
"""

from __future__ import annotations

import gzip
import json

from pydantic import TypeAdapter
from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.loader import Files
from storage.db import Base, Database

FORMAT = "yaml-files.json.gz"  # stored with each bundle, so a later format can be told apart

_FILES = TypeAdapter(dict[str, str])


class KbBundle(Base):
    """The files of one published version (a kb_versions row)."""

    __tablename__ = "kb_bundles"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("kb_versions.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)


def pack(files: Files) -> bytes:
    """The same bytes for the same files (sorted keys, no timestamp in the gzip header)."""
    text = json.dumps(dict(files), sort_keys=True, ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def unpack(content: bytes, format: str = FORMAT) -> dict[str, str]:
    """The files of a stored bundle; ValueError (or OSError from gzip) when it is not one."""
    if format != FORMAT:
        raise ValueError(f"unknown bundle format {format!r}")
    return _FILES.validate_json(gzip.decompress(content))


async def has_bundle(session: AsyncSession, version_id: int) -> bool:
    found = await session.scalar(
        select(KbBundle.version_id).where(KbBundle.version_id == version_id)
    )
    return found is not None


def bundle_row(version_id: int, content: bytes) -> KbBundle:
    return KbBundle(version_id=version_id, format=FORMAT, content=content)


async def bundle_of(db: Database, version_id: int) -> tuple[bytes, str] | None:
    """(content, format) of a version's bundle; None for a version published without one (by a
    release before bundles)."""
    async with db.session() as session:
        row = (
            await session.execute(
                select(KbBundle.content, KbBundle.format).where(KbBundle.version_id == version_id)
            )
        ).first()
        return (bytes(row[0]), row[1]) if row else None
