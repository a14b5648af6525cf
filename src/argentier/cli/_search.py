"""``argentier search``: hybrid search with cited hits."""

from __future__ import annotations

import click
from rich.markup import escape

from argentier.cli._common import (
    AppContext,
    console,
    json_option,
    parse_meta,
    pass_app,
    print_json,
    split_groups,
)
from argentier.core.search import SearchHit


def render_hit(rank: int, hit: SearchHit, *, width: int = 300) -> None:
    """Print one hit as a citation: title, page, section, offsets, then the passage."""
    where = [f"[bold]{escape(hit.document.title)}[/]"]
    if hit.page is not None:
        where.append(f"p. {hit.page}")
    if hit.section:
        where.append(escape(hit.section))
    where.append(f"chars {hit.start}-{hit.end}")
    console.print(f"{rank:>2}. " + " · ".join(where) + f"  [dim](score {hit.score:.4f})[/]", highlight=False)
    passage = " ".join(hit.text.split())
    if len(passage) > width:
        passage = passage[: width - 1] + "…"
    console.print(f"    [italic]{escape(passage)}[/]", highlight=False)


@click.command("search")
@click.argument("query")
@click.option("--collection", help="Only this collection.")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000), help="Number of hits.")
@click.option("--groups", help="Search as a caller with these comma-separated groups.")
@click.option("--meta", "meta_pairs", multiple=True, metavar="KEY=VALUE", help="Metadata filter; repeatable.")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "vector"]), default="hybrid", show_default=True)
@click.option("--fusion", type=click.Choice(["rrf", "weighted"]), help="Fusion method (default from config).")
@json_option
@pass_app
def search(
    app: AppContext,
    query: str,
    collection: str | None,
    k: int,
    groups: str | None,
    meta_pairs: tuple[str, ...],
    mode: str,
    fusion: str | None,
    as_json: bool,
) -> None:
    """Search documents by keywords and meaning; every hit cites its document, page, section and offsets."""
    with app.library() as library:
        hits = library.search(
            query,
            k=k,
            collection=collection,
            groups=split_groups(groups),
            meta=parse_meta(meta_pairs),
            mode=mode,
            fusion=fusion,
        )
    if as_json:
        print_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        console.print("no hits")
    for rank, hit in enumerate(hits, start=1):
        render_hit(rank, hit)
