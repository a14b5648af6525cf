"""Regulatory-watch sources: feeds and pages to watch, fetched politely, their new items stored once.

Each new notice becomes a Library document in collection ``"regwatch"`` (text with offsets, searchable) and a
``regwatch_updates`` row carrying its jurisdiction, language, publication date and content hash. A notice is
new when neither its URL nor the SHA-256 of its extracted text is already stored.

>>> validate_jurisdiction(" fr "), validate_jurisdiction("eu")
('FR', 'EU')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from argentier.config import Settings
from argentier.core.documents import SUPPORTED_SUFFIXES, load_document, parse_text
from argentier.core.library import iter_files
from argentier.core.store._regwatch_models import RegwatchSource, RegwatchUpdate
from argentier.errors import InputError
from argentier.regwatch._feeds import FeedItem, looks_like_feed, parse_feed
from argentier.regwatch._fetch import FetchResult, PoliteFetcher, body_as_text
from argentier.regwatch._types import (
    FetchReport,
    GroupingRun,
    SourceFetch,
    SourceInfo,
    StoredGroup,
    UpdateInfo,
    UpdateOutcome,
)

__all__ = [
    "COLLECTION",
    "FetchReport",
    "RegWatch",
    "SourceFetch",
    "SourceInfo",
    "UpdateInfo",
    "UpdateOutcome",
    "validate_jurisdiction",
]

COLLECTION = "regwatch"
# Items whose feed text is shorter than this get their linked page fetched for the full notice.
MIN_ITEM_CHARS = 500

_ISO_3166_ALPHA2 = frozenset(
    (  # noqa: SIM905 - a compact table of the 249 codes
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
        "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
        "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
        "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
        "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
        "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
        "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
    ).split()
)


def validate_jurisdiction(code: str) -> str:
    """An ISO 3166-1 alpha-2 country code or ``"EU"``, upper-cased; anything else is an :class:`InputError`.

    >>> validate_jurisdiction("de")
    'DE'
    >>> validate_jurisdiction("France")
    Traceback (most recent call last):
    ...
    argentier.errors.InputError: jurisdiction: 'France' is not an ISO 3166 alpha-2 code or EU
    """
    cleaned = (code or "").strip().upper()
    if cleaned != "EU" and cleaned not in _ISO_3166_ALPHA2:
        raise InputError(f"{code!r} is not an ISO 3166 alpha-2 code or EU", source="jurisdiction")
    return cleaned


def _validate_url(url: str) -> str:
    cleaned = (url or "").strip()
    if not cleaned.lower().startswith(("http://", "https://")):
        raise InputError(f"{url!r} is not an http(s) URL", source="url")
    return cleaned


def _first_line_title(text: str) -> str | None:
    """A plain-text notice's title: its first line, when short enough to be one (at most 25 words).

    >>> _first_line_title("VAT on e-books falls to 5.5%\\n\\nFrom 1 January 2027 ...")
    'VAT on e-books falls to 5.5%'
    """
    first = text.strip().split("\n", 1)[0].strip()
    return first if first and len(first.split()) <= 25 else None


def _names_a_file(item: str) -> bool:
    """Whether a string given to :meth:`RegWatch.add_update` is a file name rather than the notice's text."""
    if "\n" in item or len(item) > 1024:
        return False
    path = Path(item)
    try:
        return path.suffix.lower() in SUPPORTED_SUFFIXES or path.exists()
    except OSError:  # a name too long for the file system: a sentence, not a path
        return False


class RegWatch:
    """Watch feeds and pages for regulatory updates, stored in ``library`` (collection ``"regwatch"``).

    ``min_interval_s`` spaces requests to the same host, ``timeout_s`` bounds each request; both default to the
    ``[regwatch]`` settings, as do the User-Agent and the grouping of related updates.

    >>> from argentier.core.library import Library  # doctest: +SKIP
    >>> watch = RegWatch(Library.open(), min_interval_s=1.0)  # doctest: +SKIP
    >>> watch.add_source("https://www.impots.gouv.fr/rss.xml", jurisdiction="FR", language="fr")  # doctest: +SKIP
    >>> watch.fetch_all().new  # doctest: +SKIP
    3
    """

    def __init__(
        self,
        library: Any,
        settings: Settings | None = None,
        *,
        min_interval_s: float | None = None,
        timeout_s: float | None = None,
        min_item_chars: int = MIN_ITEM_CHARS,
    ) -> None:
        self.library = library
        self.settings = settings or library.settings
        config = self.settings.regwatch
        self.min_interval_s = config.min_interval_s if min_interval_s is None else min_interval_s
        self.timeout_s = config.timeout_s if timeout_s is None else timeout_s
        self.min_item_chars = min_item_chars

    def _fetcher(self) -> PoliteFetcher:
        agent = self.settings.regwatch.user_agent
        return PoliteFetcher(
            min_interval_s=self.min_interval_s,
            timeout_s=self.timeout_s,
            **({"user_agent": agent} if agent else {}),
        )

    # -- sources --------------------------------------------------------------------------------------------

    def add_source(
        self, url: str, *, jurisdiction: str, language: str | None = None, kind: str | None = None
    ) -> SourceInfo:
        """Watch ``url``: a ``feed`` or a ``page`` (sniffed on the first fetch when ``kind`` is None), or a local
        ``folder`` whose new PDF/DOCX/HTML/TXT files become updates at each fetch.

        Raises :class:`InputError` for a bad URL, jurisdiction or kind, or a URL already watched.
        """
        if kind == "folder" or (kind is None and Path(url).is_dir()):
            if not Path(url).is_dir():
                raise InputError("folder not found", source=url)
            url, kind = Path(url).resolve().as_posix(), "folder"
        else:
            url = _validate_url(url)
        jurisdiction = validate_jurisdiction(jurisdiction)
        if kind is not None and kind not in ("feed", "page", "folder"):
            raise InputError(f"{kind!r} is not a source kind (use feed, page or folder)", source="kind")
        with self.library.store.session() as session:
            if session.scalar(select(RegwatchSource.id).where(RegwatchSource.url == url)) is not None:
                raise InputError("already watched", source=url)
            row = RegwatchSource(
                url=url, kind=kind, jurisdiction=jurisdiction, language=(language or "").strip() or None
            )
            session.add(row)
            session.flush()
            return SourceInfo.from_row(row)

    def list_sources(self) -> list[SourceInfo]:
        """Every watched source, oldest first."""
        with self.library.store.session() as session:
            rows = session.scalars(select(RegwatchSource).order_by(RegwatchSource.id)).all()
            return [SourceInfo.from_row(row) for row in rows]

    def list_updates(self) -> list[UpdateInfo]:
        """Every stored update, newest publication first (undated ones last)."""
        with self.library.store.session() as session:
            rows = session.scalars(
                select(RegwatchUpdate).order_by(
                    RegwatchUpdate.published_at.desc().nulls_last(), RegwatchUpdate.id
                )
            ).all()
            return [UpdateInfo.from_row(row) for row in rows]

    # -- fetching -------------------------------------------------------------------------------------------

    def fetch_all(self, *, on_progress: Callable[[int, int, str], None] | None = None) -> FetchReport:
        """Fetch every source once; a source that is down, malformed or missing is reported and skipped.

        ``on_progress(done, total, url)`` is called after each source.
        """
        sources = self.list_sources()
        results = []
        with self._fetcher() as fetcher:
            for done, source in enumerate(sources, start=1):
                results.append(self._fetch_source(fetcher, source))
                if on_progress is not None:
                    on_progress(done, len(sources), source.url)
        return FetchReport(tuple(results), datetime.now(UTC), self.group_new())

    # -- grouping -------------------------------------------------------------------------------------------

    def group_new(self) -> GroupingRun:
        """Place every update not yet grouped into a group of related updates (see :mod:`.groups`)."""
        from argentier.regwatch.groups import group_new_updates

        return group_new_updates(self)

    def list_groups(self, *, min_members: int = 1, groups: Iterable[str] | None = None) -> list[StoredGroup]:
        """Groups of related updates, most recently changed first (see :func:`.groups.list_groups`)."""
        from argentier.regwatch.groups import list_groups

        return list_groups(self, min_members=min_members, groups=groups)

    def get_group(self, group_id: int, *, groups: Iterable[str] | None = None) -> StoredGroup:
        """One group of related updates with its timeline."""
        from argentier.regwatch.groups import get_group

        return get_group(self, group_id, groups=groups)

    def _fetch_source(self, fetcher: PoliteFetcher, source: SourceInfo) -> SourceFetch:
        if source.kind == "folder":
            outcome = self._scan_folder(source)
            with self.library.store.session() as session:
                row = session.get(RegwatchSource, source.id)
                row.last_fetched_at = datetime.now(UTC)
                row.last_status, row.last_error = outcome.status, outcome.error
            return outcome
        with self.library.store.session() as session:
            row = session.get(RegwatchSource, source.id)
            etag, last_modified = row.etag, row.last_modified
        result = fetcher.get(source.url, etag=etag, last_modified=last_modified)
        kind = source.kind
        outcome: SourceFetch
        if result.status != "ok":
            outcome = SourceFetch(source.url, result.status, error=result.error)
        else:
            kind = kind or ("feed" if looks_like_feed(result.body) else "page")
            if kind == "feed":
                outcome = self._store_feed(fetcher, source, result)
            else:
                outcome = self._store_page(source, result)
        with self.library.store.session() as session:
            row = session.get(RegwatchSource, source.id)
            row.kind = kind
            row.last_fetched_at = datetime.now(UTC)
            row.last_status = outcome.status
            row.last_error = outcome.error
            # Keep the validators only once the content was stored, so a failed run is retried in full.
            if outcome.status == "ok":
                row.etag, row.last_modified = result.etag, result.last_modified
        return outcome

    def _store_feed(self, fetcher: PoliteFetcher, source: SourceInfo, result: FetchResult) -> SourceFetch:
        try:
            items = parse_feed(result.body, base_url=source.url)
        except InputError as exc:
            return SourceFetch(source.url, "failed", error=f"malformed feed: {exc}")
        new = duplicates = 0
        for item in items:
            if self._stored(url=item.link) is not None:
                duplicates += 1
                continue
            text, format = self._item_text(fetcher, item)
            if not text.strip():
                continue
            _, added = self._store(
                text,
                format=format,
                title=item.title or item.link or source.url,
                url=item.link,
                source=source,
                published_at=item.published,
            )
            new, duplicates = (new + 1, duplicates) if added else (new, duplicates + 1)
        return SourceFetch(source.url, "ok", new=new, duplicates=duplicates)

    def _item_text(self, fetcher: PoliteFetcher, item: FeedItem) -> tuple[str, str]:
        """The item's own text, or its linked page when the feed carries only a teaser."""
        if item.link and len(item.summary) < self.min_item_chars:
            page = fetcher.get(item.link)
            if page.status == "ok":
                text, format = body_as_text(page)
                if text.strip():
                    return text, format
        return item.summary, "html"

    def _scan_folder(self, source: SourceInfo) -> SourceFetch:
        """Store the folder's files not seen before (by path, then by text); unreadable files are counted."""
        folder = Path(source.url)
        if not folder.is_dir():
            return SourceFetch(source.url, "failed", error="folder not found")
        new = duplicates = 0
        errors = []
        for path, _ in iter_files([folder]):
            url = path.resolve().as_uri()
            if self._stored(url=url) is not None:
                duplicates += 1
                continue
            try:
                _, added = self._store(
                    "", format="txt", title=None, url=url, source=source, published_at=None, file=path
                )
            except InputError as exc:
                errors.append(f"{path.name}: {exc.reason}")
                continue
            new, duplicates = (new + int(added), duplicates + int(not added))
        error = f"{len(errors)} file(s) not read, first: {errors[0]}" if errors else None
        return SourceFetch(source.url, "ok", new=new, duplicates=duplicates, error=error)

    def _store_page(self, source: SourceInfo, result: FetchResult) -> SourceFetch:
        """A page seen before is stored again only when its text changed, as the next version."""
        text, format = body_as_text(result)
        try:
            _, added = self._store(
                text,
                format=format,
                title=None,
                url=source.url,
                source=source,
                published_at=None,
                supersedes=self._stored(url=source.url),
            )
        except InputError as exc:
            return SourceFetch(source.url, "failed", error=exc.reason)
        return SourceFetch(source.url, "ok", new=int(added), duplicates=int(not added))

    # -- storing --------------------------------------------------------------------------------------------

    def _stored(self, *, url: str | None = None, content_hash: str | None = None) -> UpdateInfo | None:
        clauses = []
        if url:
            clauses.append(RegwatchUpdate.url == url)
        if content_hash:
            clauses.append(RegwatchUpdate.content_hash == content_hash)
        if not clauses:
            return None
        with self.library.store.session() as session:
            query = select(RegwatchUpdate).where(or_(*clauses)).order_by(RegwatchUpdate.version.desc())
            row = session.scalars(query.limit(1)).first()
            return UpdateInfo.from_row(row) if row is not None else None

    def _store(
        self,
        text: str,
        *,
        format: str,
        title: str | None,
        url: str | None,
        source: SourceInfo | None,
        published_at: datetime | None,
        jurisdiction: str | None = None,
        language: str | None = None,
        file: Path | None = None,
        supersedes: UpdateInfo | None = None,
    ) -> tuple[UpdateInfo, bool]:
        """Store one notice unless its URL or text is already stored: (the update, whether it is new).

        With ``supersedes`` (the latest stored version of a page at the same URL), only the text is compared,
        and a changed text is stored as the next version.
        """
        parsed = load_document(file) if file is not None else parse_text(text, format=format)
        existing = self._stored(url=None if supersedes else url, content_hash=parsed.content_hash)
        if existing is not None:
            return existing, False
        version = supersedes.version + 1 if supersedes else 1
        path = url if version == 1 or url is None else f"{url}#v{version}"  # the Library replaces same-path documents
        jurisdiction = jurisdiction or source.jurisdiction
        language = language or (source.language if source else None)
        fallback = _first_line_title(parsed.text) or (file.stem if file else None) or url or "untitled"
        title = (title or parsed.title or fallback).strip()[:1000]
        meta = {
            "jurisdiction": jurisdiction,
            **({"url": url} if url else {}),
            **({"language": language} if language else {}),
        }
        if file is not None:
            outcome = self.library.add_file(file, collection=COLLECTION, meta=meta)
        else:
            outcome = self.library.add_text(
                text, title=title[:500], format=format, collection=COLLECTION, meta=meta, path=path
            )
        with self.library.store.session() as session:
            row = RegwatchUpdate(
                source_id=source.id if source else None,
                document_id=outcome.document.id,
                url=url,
                title=title,
                jurisdiction=jurisdiction,
                language=language,
                published_at=published_at,
                retrieved_at=datetime.now(UTC),
                content_hash=parsed.content_hash,
                version=version,
                previous_id=supersedes.id if supersedes else None,
            )
            session.add(row)
            session.flush()
            return UpdateInfo.from_row(row), True

    def add_update(
        self, item: str | Path, *, jurisdiction: str, title: str | None = None, language: str | None = None
    ) -> UpdateOutcome:
        """Add one notice by hand: a PDF/DOCX/HTML/TXT file, an http(s) URL, or a text (which needs ``title``).

        A notice already stored (same URL or same text) is not stored again: the outcome is ``duplicate``.
        Raises :class:`InputError` for an unreachable URL, a missing file or an unreadable document. A new
        update is grouped with related ones at once (its ``group_id`` is set).
        """
        outcome = self._add_update(item, jurisdiction=jurisdiction, title=title, language=language)
        if outcome.status != "added":
            return outcome
        self.group_new()
        return UpdateOutcome(outcome.source, outcome.status, self._stored(content_hash=outcome.update.content_hash))

    def _add_update(
        self, item: str | Path, *, jurisdiction: str, title: str | None, language: str | None
    ) -> UpdateOutcome:
        jurisdiction = validate_jurisdiction(jurisdiction)
        language = (language or "").strip() or None
        label = str(item)
        kwargs = {"source": None, "published_at": None, "jurisdiction": jurisdiction, "language": language}
        if isinstance(item, str) and item.strip().lower().startswith(("http://", "https://")):
            url = item.strip()
            existing = self._stored(url=url)
            if existing is None:
                with self._fetcher() as fetcher:
                    result = fetcher.get(url)
                if result.status != "ok":
                    raise InputError(f"cannot fetch: {result.error}", source=url)
                text, format = body_as_text(result)
                existing, added = self._store(text, format=format, title=title, url=url, **kwargs)
                return UpdateOutcome(label, "added" if added else "duplicate", existing)
            return UpdateOutcome(label, "duplicate", existing)
        path = Path(item)
        if isinstance(item, Path) or _names_a_file(label):
            if not path.is_file():
                raise InputError("file not found", source=label)
            update, added = self._store("", format="txt", title=title, url=None, file=path, **kwargs)
            return UpdateOutcome(label, "added" if added else "duplicate", update)
        if not title:
            raise InputError("an update given as text needs a title")
        update, added = self._store(label, format="txt", title=title, url=None, **kwargs)
        return UpdateOutcome(title, "added" if added else "duplicate", update)
