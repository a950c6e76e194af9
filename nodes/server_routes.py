"""The pack's server routes, registered on ComfyUI's PromptServer at import (ComfyUI mirrors them under /api/):

- GET  /storycore/registry  the workflows loader nodes registered in this server, capabilities, capability matrix
- GET  /storycore/stats     run statistics per workflow and capability (?capability=&workflow=&window_s=&limit=)
- GET  /storycore/health    registry validation, history store and config status
- POST /storycore/route     the router node's decision for a JSON body of its inputs, nothing loaded (dry run)

A thin aiohttp adapter over model_loaders.service: bodies are read up to a fixed size, refused with HTTP 400 naming
the field, and the work runs in a worker thread so the server's event loop never waits on SQLite.
"""
from __future__ import annotations

import asyncio
import logging
import sys

from ..model_loaders.service.bodies import (MAX_BODY_BYTES, BodyError, parse_json_object, parse_route_body,
                                            stats_query, widget_specs)
from ..model_loaders.service.public import scrub
from ..routing import Capability, default_registry

log = logging.getLogger(__name__)
PREFIX = "/storycore"
_specs = None


def router_specs():
    """The router node's widget inputs, as its INPUT_TYPES (and /object_info) declare them."""
    global _specs
    if _specs is None:
        from .router import StoryCoreAdvancedRouter
        _specs = widget_specs(StoryCoreAdvancedRouter.INPUT_TYPES())
    return _specs


def _services():
    from ..model_loaders.sampling.routing_run import services
    return services()


def registry_answer(_query=None) -> dict:
    from ..model_loaders.service.registry_view import registry_view
    return registry_view(default_registry(), _services().configs.get())


def stats_answer(query) -> dict:
    from ..model_loaders.service.stats_view import stats_view
    return stats_view(_services().history, **stats_query(query, [c.value for c in Capability]))


def health_answer(_query=None) -> dict:
    from ..model_loaders.service.health_view import health_view
    return health_view(default_registry(), _services())


def route_answer(data: bytes) -> dict:
    from ..model_loaders.service.dry_run import dry_run
    return dry_run(parse_route_body(parse_json_object(data), router_specs()), default_registry(), _services())


async def _answer(web, work, argument):
    try:
        return web.json_response(await asyncio.to_thread(work, argument))
    except BodyError as exc:
        return web.json_response(exc.to_dict(), status=400)
    except Exception as exc:  # noqa: BLE001 - a route must answer, never take the server down
        log.exception("StoryCore route failed")
        return web.json_response({"error": {"type": type(exc).__name__, "message": scrub(str(exc))}}, status=500)


async def _read_limited(request) -> bytes:
    """At most MAX_BODY_BYTES + 1 bytes of the body (a larger one is refused without reading it all)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise BodyError("body", f"larger than {MAX_BODY_BYTES} bytes; a route request is a small JSON object")
    return await request.content.read(MAX_BODY_BYTES + 1)


def register_routes() -> bool:
    """Add the routes to the running PromptServer; False (nothing done) when there is none (in-process imports)."""
    server = sys.modules.get("server")
    instance = getattr(getattr(server, "PromptServer", None), "instance", None)
    if instance is None or getattr(instance, "storycore_routes_registered", False):
        return False
    from aiohttp import web
    routes = instance.routes

    def get(path, work):
        @routes.get(PREFIX + path)
        async def handler(request):
            return await _answer(web, work, dict(request.rel_url.query))

    get("/registry", registry_answer)
    get("/stats", stats_answer)
    get("/health", health_answer)

    @routes.post(PREFIX + "/route")
    async def route(request):
        try:
            data = await _read_limited(request)
        except BodyError as exc:
            return web.json_response(exc.to_dict(), status=400)
        return await _answer(web, route_answer, data)

    from ..model_loaders.sampling.kept_models import release_with_comfyui
    release_with_comfyui()  # POST /free releases the router's kept models too (why a wrap: kept_models.py)
    instance.storycore_routes_registered = True
    return True
