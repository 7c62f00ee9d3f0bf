"""Erasing one's data (/deleteme), after a clear confirmation.

erase: what will go and what stays ─▶ yes: erased, goodbye · no: back where the user was
"""

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button

from bot.services import orgs, privacy
from dialogs.common import T, close, esc
from dialogs.states import Privacy


async def erasing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    return {"alone": orgs.alone(db, user.id), "org": esc(found.org_name) if found else ""}


async def on_erase(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if privacy.erase(db, user.id) == "hand_over_first":
        await callback.message.answer(
            _(
                "You are the last admin of your organization: make someone else admin "
                "(🏭 Organization → Members) before your data can be erased."
            )
        )
        await close(callback, button, manager)
        return
    await manager.reset_stack(remove_keyboard=True)
    privacy.forget_dialogs(db, user.id)  # after the stack is closed, so nothing is saved again
    await callback.message.answer(
        _(
            "Your data has been erased. Thank you for using CertReady. Send /start if you ever "
            "want to come back."
        )
    )


def privacy_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>Erase my data</b>\n\nThis deletes your name, username, language, time zone "
                "and your membership of any organization. Anything you reported stays with your "
                "organization as its record, without your name.\n\nThis cannot be undone."
            ),
            T(
                "You are the only member of {org}: erasing your data closes it for good.",
                when="alone",
            ),
            Button(T("🗑 Yes, erase my data"), id="erase", on_click=on_erase),
            Button(T("✖️ No, keep it"), id="keep", on_click=close),
            state=Privacy.erase,
            getter=erasing,
        ),
    )
