"""The index on the web: its page (ranking, map, dimensions, history), the map as PNG and the open data.

``/indeks/KEY`` (``?rok=YEAR``, default the newest edition), ``/indeks/KEY/mapa.png``, ``/api/indexes``,
``/api/indexes/KEY`` (JSON) and ``/api/indexes/KEY/export.csv|json``. Only public editions count (a closed but
unpublished one is nobody's business yet) and a withheld municipality shows "za mało odpowiedzi" everywhere.
The rendered page and the drawn map are kept per (index, year, language) while the counted history stays the same
object (:meth:`IndexService.history` returns the same one until an edition's results stamp moves).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter()


@router.get("/indeks/{key}", response_class=HTMLResponse)
@in_unit
def index_page(request: Request, key: str, site: SiteDep, rok: int | None = None) -> HTMLResponse:
    return site.indexes.page(request, key, rok)


@router.get("/indeks/{key}/mapa.png")
@in_unit
def index_map_png(request: Request, key: str, site: SiteDep, rok: int | None = None) -> Response:
    return Response(site.indexes.map(request, key, rok).png, media_type="image/png")


@router.get("/api/indexes")
@in_unit
def api_indexes(site: SiteDep) -> list[dict[str, Any]]:
    return site.indexes.summary()


@router.get("/api/indexes/{key}")
@in_unit
def api_index(key: str, site: SiteDep) -> Response:
    document = site.indexes.document(key, "json")
    return Response(document.content, media_type=document.mime_type)


@router.get("/api/indexes/{key}/export.{fmt}")
@in_unit
def api_index_export(key: str, fmt: str, site: SiteDep) -> Response:
    document = site.indexes.document(key, fmt)
    return Response(
        document.content,
        media_type=document.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
