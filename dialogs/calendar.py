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
from babel.dates import format_date


class BabelDate(Text):
    """``data["date"]`` in a CLDR pattern (``LLLL y``, ``EEEEE`` …) for the user's locale."""

    def __init__(self, pattern: str, before: str = "", after: str = "") -> None:
        super().__init__()
        self.pattern, self.before, self.after = pattern, before, after

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        locale = manager.middleware_data.get("locale", "en")
        shown: date = data["date"]
        return self.before + format_date(shown, self.pattern, locale=locale) + self.after


class LocalCalendar(Calendar):
    def _init_views(self):
        return {
            CalendarScope.DAYS: CalendarDaysView(
                self._item_callback_data,
                weekday_text=BabelDate("EEEEE"),
                header_text=BabelDate("LLLL y", "🗓 "),
                zoom_out_text=BabelDate("LLLL y", "🗓 "),
                next_month_text=BabelDate("LLL y", after=" »"),
                prev_month_text=BabelDate("LLL y", "« "),
            ),
            CalendarScope.MONTHS: CalendarMonthView(
                self._item_callback_data,
                month_text=BabelDate("LLL"),
                this_month_text=BabelDate("LLL", "[", "]"),
            ),
            CalendarScope.YEARS: CalendarYearsView(self._item_callback_data),
        }
