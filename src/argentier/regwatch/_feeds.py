"""RSS 2.0 and Atom feeds parsed with lxml into :class:`FeedItem` values, dates normalised to UTC.

>>> rss = b'''<rss version="2.0"><channel><title>DGFiP</title>
... <item><title>TVA : taux</title><link>https://x.example/tva</link>
... <pubDate>Tue, 03 Nov 2026 09:30:00 +0100</pubDate><description>Nouveau taux.</description></item>
... </channel></rss>'''
>>> item = parse_feed(rss)[0]
>>> item.title, item.link, item.published.isoformat()
('TVA : taux', 'https://x.example/tva', '2026-11-03T08:30:00+00:00')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from argentier.errors import InputError

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: its title, absolute link, publication date (UTC) and the text it carries."""

    title: str
    link: str | None
    published: datetime | None
    summary: str


def parse_date(value: str | None) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date as an aware UTC datetime; ``None`` when unreadable.

    Dates without a zone are taken as UTC.

    >>> parse_date("Mon, 02 Nov 2026 10:00:00 GMT").isoformat()
    '2026-11-02T10:00:00+00:00'
    >>> parse_date("2026-11-02T12:00:00+02:00").isoformat()
    '2026-11-02T10:00:00+00:00'
    >>> parse_date("2026-11-02Z").isoformat(), parse_date("soon")
    ('2026-11-02T00:00:00+00:00', None)
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    parsed: datetime | None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` is an RSS 2.0 or Atom document (used to sniff a source's kind).

    >>> looks_like_feed(b"<rss version='2.0'><channel/></rss>"), looks_like_feed(b"<html><body/></html>")
    (True, False)
    """
    try:
        parse_feed(data)
    except InputError:
        return False
    return True


def parse_feed(data: bytes, *, base_url: str | None = None) -> list[FeedItem]:
    """The items of an RSS 2.0 or Atom feed, in document order; relative links resolved against ``base_url``.

    Raises :class:`InputError` when ``data`` is not XML or not a feed.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(
            f"not an XML feed: {str(exc).splitlines()[0] if str(exc) else 'empty document'}"
        ) from exc
    if root is None:
        raise InputError("not an XML feed: empty document")
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise InputError("RSS document without a <channel>")
        items = [_rss_item(item) for item in channel.findall("item")]
    elif root.tag == f"{_ATOM}feed":
        items = [_atom_item(entry) for entry in root.findall(f"{_ATOM}entry")]
    else:
        raise InputError(f"not an RSS 2.0 or Atom feed (root element <{etree.QName(root).localname}>)")
    if base_url:
        items = [
            FeedItem(i.title, urljoin(base_url, i.link) if i.link else None, i.published, i.summary)
            for i in items
        ]
    return items


def _rss_item(item: etree._Element) -> FeedItem:
    link = _text(item.find("link")) or None
    guid = item.find("guid")
    if link is None and guid is not None and guid.get("isPermaLink", "true") == "true":
        link = _text(guid) or None
    published = parse_date(_text(item.find("pubDate")) or _text(item.find(_DC_DATE)))
    summary = _text(item.find(_CONTENT)) or _text(item.find("description"))
    return FeedItem(_text(item.find("title")), link, published, summary)


def _atom_item(entry: etree._Element) -> FeedItem:
    link = None
    for candidate in entry.findall(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            link = candidate.get("href")
            break
    published = parse_date(_text(entry.find(f"{_ATOM}published")) or _text(entry.find(f"{_ATOM}updated")))
    summary = _text(entry.find(f"{_ATOM}content")) or _text(entry.find(f"{_ATOM}summary"))
    return FeedItem(_text(entry.find(f"{_ATOM}title")), link, published, summary)
