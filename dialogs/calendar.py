"""aiogram-dialog's Calendar in the user's language (Babel) and the organization's time zone.

"Today" and the earliest date one may pick follow the organization's clock, not the server's:
at 00:30 on 1 January in Shanghai it is still 31 December in UTC, and a due date set then
must not be refused as "in the past". Days before today are not shown; a stale or crafted
tap on one is refused by the handler, which says why.
"""

from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Calendar, CalendarScope, CalendarUserConfig
from aiogram_dialog.widgets.kbd.calendar_kbd import (
    CALLBACK_PREFIX_MONTH,
    CALLBACK_PREFIX_YEAR,
    CalendarDaysView,
    CalendarMonthView,
    CalendarYearsView,
    date_from_raw,
)
from aiogram_dialog.widgets.text import Text
from babel.dates import format_date, format_skeleton

from bot import clock
from bot.i18n import format_day
from bot.services import orgs


class BabelDate(Text):
    """``data["date"]`` as people in the user's locale write it: a CLDR skeleton such as
    ``yMMMM`` (2026年11月 / November 2026), or a pattern such as ``EEEEE`` (一 / M)."""

    def __init__(self, form: str, before: str = "", after: str = "", skeleton: bool = True):
        super().__init__()
        self.form, self.before, self.after, self.skeleton = form, before, after, skeleton

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        locale = manager.middleware_data.get("locale", "en")
        shown: date = data["date"]
        if self.skeleton:
            text = format_skeleton(self.form, shown, locale=locale)
        else:
            text = format_date(shown, self.form, locale=locale)
        return self.before + text + self.after


def org_timezone(manager: DialogManager) -> str:
    """The time zone dates are agreed in: the organization's, else the person's own."""
    data = manager.middleware_data
    found = orgs.organization(data["db"], data["user"].id) if data.get("user") else None
    return found["timezone"] if found else data.get("timezone", "UTC")


def org_today(manager: DialogManager) -> date:
    return clock.today(org_timezone(manager))


async def refuse_past(callback: CallbackQuery, manager: DialogManager, chosen: date) -> bool:
    """A past day (a stale calendar, or crafted data: the screen shows none) is refused with
    the reason, as an answer and a message; True if it was."""
    today = org_today(manager)
    if chosen >= today:
        return False
    locale = manager.middleware_data["locale"]
    text = _("{date} is in the past; please pick a date from today ({today}) on.").format(
        date=format_day(chosen, locale), today=format_day(today, locale)
    )
    await callback.answer(text)
    await callback.message.answer(text)
    return True


class LocalCalendar(Calendar):
    """Month and day names from CLDR; the month bar's middle button names only the month
    (aiogram-dialog renders it from a fixed 2018 date, so a year there would be wrong)."""

    def _init_views(self):
        return {
            CalendarScope.DAYS: CalendarDaysView(
                self._item_callback_data,
                date_text=BabelDate("d", skeleton=False),
                today_text=BabelDate("d", "[", "]", skeleton=False),
                weekday_text=BabelDate("EEEEE", skeleton=False),
                header_text=BabelDate("yMMMM", "🗓 "),
                zoom_out_text=BabelDate("LLLL", "🗓 ", skeleton=False),
                next_month_text=BabelDate("yMMM", after=" »"),
                prev_month_text=BabelDate("yMMM", "« "),
            ),
            CalendarScope.MONTHS: CalendarMonthView(
                self._item_callback_data,
                month_text=BabelDate("MMM"),
                this_month_text=BabelDate("MMM", "[", "]"),
            ),
            CalendarScope.YEARS: CalendarYearsView(self._item_callback_data),
        }

    async def _process_item_callback(self, callback, data: str, dialog, manager) -> bool:
        """Crafted data that names no day, month or year the calendar shows ("", a 13th
        month, the year 9999) changes nothing: aiogram-dialog would fail reading it."""
        if data in self._handlers or self._names_a_date(data):
            return await super()._process_item_callback(callback, data, dialog, manager)
        return True

    def _names_a_date(self, data: str) -> bool:
        if data.startswith(CALLBACK_PREFIX_MONTH):
            number, read = data.removeprefix(CALLBACK_PREFIX_MONTH), lambda n: date(2000, n, 1)
        elif data.startswith(CALLBACK_PREFIX_YEAR):
            number, read = data.removeprefix(CALLBACK_PREFIX_YEAR), lambda n: date(n, 1, 1)
        else:
            number, read = data, date_from_raw
        if not (number.isascii() and number.isdecimal()):
            return False
        try:
            named = read(int(number))
        except (ValueError, OverflowError):
            return False
        return self.config.min_date <= named <= self.config.max_date

    async def _get_user_config(self, data: dict, manager: DialogManager) -> CalendarUserConfig:
        timezone = org_timezone(manager)
        return CalendarUserConfig(
            timezone=ZoneInfo(timezone), min_date=clock.today(timezone), firstweekday=0
        )
