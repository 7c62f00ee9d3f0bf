"""The in-process fake served over HTTP on 127.0.0.1, as a Bot API server would be.

``python -m bot run`` with ``TELEGRAM_API_URL=http://127.0.0.1:<port>`` then polls it
for updates through aiogram's real aiohttp transport.
"""

import json

from aiohttp import web

from bot.localapi.core import LocalBotAPI

# Form fields that carry JSON (aiogram sends every field as text in a multipart form).
JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "options",
    "allowed_updates",
    "media",
    "link_preview_options",
    "reply_parameters",
}


async def _params(request: web.Request) -> tuple[dict, dict[str, bytes]]:
    params: dict = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            elif key in JSON_FIELDS:
                params[key] = json.loads(value)
            else:
                params[key] = value
    return params, files


def make_app(api: LocalBotAPI) -> web.Application:
    async def method(request: web.Request) -> web.Response:
        params, files = await _params(request)
        status, body = await api.call(request.match_info["method"], params, files)
        return web.json_response(body, status=status)

    async def download(request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in api.files.values():
            if stored.path == path:
                return web.Response(body=stored.data)
        raise web.HTTPNotFound()

    app = web.Application(client_max_size=60 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", method)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    return app


async def serve(api: LocalBotAPI, port: int = 0) -> tuple[web.AppRunner, int]:
    """Start serving on 127.0.0.1; returns the runner (call ``cleanup()``) and the port."""
    runner = web.AppRunner(make_app(api), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]
