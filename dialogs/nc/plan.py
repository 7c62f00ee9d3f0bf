"""Root cause by 5 Whys, and the corrective action with its owner and due date.

whys: "Why?" up to five times, each asking why the previous answer happened; stop when the
      cause is found ─▶ saved as the root cause
action: what will remove the cause ─▶ owner (a member) ─▶ due date (calendar) ─▶ planned
"""

from datetime import date

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel

from bot.i18n import N_
from bot.services import nc, orgs
from bot.services.text import shorten
from dialogs import long_text
from dialogs.calendar import LocalCalendar, refuse_past
from dialogs.common import Choices, T, esc, person_label
from dialogs.nc import view as case_view
from dialogs.states import CasePlan

MAX_WHYS = 5
WHY_LIMIT = 3000  # five of them make one root cause, well within a record's limit
QUOTED = 80  # the previous answer, as repeated in the next "why?"


def _case(manager: DialogManager) -> int:
    return int((manager.start_data or {}).get("nc", 0) or manager.dialog_data.get("nc", 0))


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    parent = (
        manager.current_stack().intents[-2] if len(manager.current_stack().intents) > 1 else None
    )
    manager.dialog_data["whys"] = []
    if parent is not None and not (start_data or {}).get("nc"):
        context = await manager.storage().load_context(parent)
        manager.dialog_data["nc"] = context.dialog_data.get("nc", 0)


async def whys(dialog_manager: DialogManager, **kwargs) -> dict:
    asked = dialog_manager.dialog_data.get("whys", [])
    chain = "\n".join(f"{i}. {esc(shorten(answer, 500))}" for i, answer in enumerate(asked, 1))
    more = len(asked) < MAX_WHYS
    return {
        "number": len(asked) + 1,
        "chain": chain,
        "any": bool(asked),
        "first": more and not asked,
        "next": more and bool(asked),
        # 5 Whys asks why the last answer happened: "Why did “the seal aged” happen?"
        "previous": esc(shorten(_quoted(asked[-1]), QUOTED)) if asked else "",
    }


def _quoted(answer: str) -> str:
    """An answer as it reads inside “…” in a question: one line, no full stop of its own."""
    return " ".join(answer.split()).rstrip("。．.！!？?；;，,") or answer


async def owners(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    return {"owners": [(m.user_id, person_label(m)) for m in orgs.members(db, user.id)]}


async def _add_why(message: Message, manager: DialogManager, answer: str) -> None:
    asked = manager.dialog_data.setdefault("whys", [])
    if len(asked) < MAX_WHYS and answer:
        asked.append(answer)


async def on_found(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    asked = manager.dialog_data.get("whys", [])
    cause = " → ".join(asked)
    if nc.note_down(db, user.id, _case(manager), "root_cause", cause) == "stale":
        await case_view.moved_meanwhile(callback.message, cause)
    await manager.done()


async def _take_action(message: Message, manager: DialogManager, action: str) -> None:
    manager.dialog_data["action"] = action
    await manager.switch_to(CasePlan.owner)


async def on_owner(callback: CallbackQuery, widget, manager: DialogManager, owner_id: str):
    if not owner_id.isdigit():
        return
    if (manager.start_data or {}).get("assign_only"):  # "Assign": just who handles it
        db, user = manager.middleware_data["db"], manager.middleware_data["user"]
        if nc.note_down(db, user.id, _case(manager), "owner_id", int(owner_id)) == "stale":
            await case_view.moved_meanwhile(callback.message)
        await manager.done()
        return
    manager.dialog_data["owner"] = int(owner_id)
    await manager.switch_to(CasePlan.due)


async def on_due(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if await refuse_past(callback, manager, chosen):
        return
    result = nc.move(
        db,
        user.id,
        _case(manager),
        "planned",
        None,
        action=manager.dialog_data.get("action"),
        owner_id=manager.dialog_data.get("owner"),
        due_date=chosen,
    )
    if result == "missing":  # the owner left meanwhile: pick another, the action is kept
        await callback.message.answer(_("That person is no longer in the organization."))
        await manager.switch_to(CasePlan.owner)
        return
    if result != "moved":
        await case_view.moved_meanwhile(callback.message, manager.dialog_data.get("action", ""))
    await manager.done()


def case_plan_dialog() -> Dialog:
    cancel = Cancel(T("✖️ Cancel"))
    return Dialog(
        Window(
            T("<b>❓ 5 Whys</b>\n\n{chain}", when="any"),
            T("Why {number}? Type why it happened.", when="first"),
            T("Why {number}? Why did “{previous}” happen? Type the reason.", when="next"),
            *long_text.step("why", WHY_LIMIT, _add_why, N_("Please type why it happened.")),
            Button(T("🎯 This is the root cause"), id="found", on_click=on_found, when="any"),
            cancel,
            state=CasePlan.whys,
            getter=whys,
        ),
        Window(
            T("What corrective action will remove the cause, so it does not happen again?"),
            *long_text.step("action", nc.MAX_TEXT, _take_action, N_("Please describe the action.")),
            cancel,
            state=CasePlan.action,
        ),
        Window(
            T("Who owns the action?"),
            Choices("owners", on_owner, page=10),
            cancel,
            state=CasePlan.owner,
            getter=owners,
        ),
        Window(
            T("By when?"),
            LocalCalendar(id="due", on_click=on_due),
            cancel,
            state=CasePlan.due,
        ),
        on_start=on_start,
    )
