"""aiogram-dialog's Calendar, with month and weekday names in the user's language (Babel)."""

from datetime import date

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Calendar, CalendarScope
from aiogram_dialog.widgets.kbd.calendar_kbd import (
    CalendarDaysView,
    CalendarMonthView,
    CalendarYearsView,
)
from aiogram_dialog.widgets.text import Text
from babel.dates import format_date, format_skeleton


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


class LocalCalendar(Calendar):
    def _init_views(self):
        return {
            CalendarScope.DAYS: CalendarDaysView(
                self._item_callback_data,
                weekday_text=BabelDate("EEEEE", skeleton=False),
                header_text=BabelDate("yMMMM", "🗓 "),
                zoom_out_text=BabelDate("yMMMM", "🗓 "),
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
