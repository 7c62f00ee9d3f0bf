"""An aiogram session that calls the in-process fake instead of HTTP."""

import json
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.localapi.core import LocalBotAPI

LOCAL_SERVER = TelegramAPIServer.from_base("http://local.bot.api")


class LocalSession(BaseSession):
    def __init__(self, api: LocalBotAPI) -> None:
        super().__init__(api=LOCAL_SERVER)
        self.local = api

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        contents = {}
        for key, input_file in files.items():
            contents[key] = b"".join([chunk async for chunk in input_file.read(bot)])
            params.setdefault("_filename", input_file.filename)
        status, body = await self.local.call(method.__api_method__, params, contents)
        if status == 0:  # an injected timeout: what aiohttp's session raises
            raise TelegramNetworkError(method=method, message=body["description"])
        response = self.check_response(bot, method, status, json.dumps(body))
        return response.result  # type: ignore[return-value]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        path = url.split("/", 5)[-1]  # http://host/file/bot<token>/<path>
        for stored in self.local.files.values():
            if stored.path == path:
                yield stored.data
                return
        raise FileNotFoundError(path)

    async def close(self) -> None:
        pass
