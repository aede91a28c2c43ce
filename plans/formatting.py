"""How the service writes dates, times, counts and articles: the GOV.UK style guide, once.

Pages (through the ``govuk_format`` template filters), e-mails, error messages and the board
packs (PDF and Excel) all write them with these functions:

- dates in full: "30 June 2009", never "30 Jun 2009" or "30/06/2009";
- times on the 12-hour clock: "8:33am", "5:30pm", "midday", "midnight" (no dots, no
  leading zero), in the service's time zone;
- a date and time: "30 June 2009 at 8:33am";
- "a Red", but "an Amber";
- "1 due date", "2 due dates".
"""

from datetime import date, datetime, time

from django.utils import timezone

DATE_FORMAT = "%-d %B %Y"  # settings.DATE_FORMAT says the same to Django's |date filter


def govuk_date(value: date | datetime | None) -> str:
    """``30 June 2009``; "" for no date (or anything that is not one, as Django's |date
    filter). A datetime is read in the service's time zone."""
    if not isinstance(value, date):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime(DATE_FORMAT)


def govuk_time(value: datetime | time | None) -> str:
    """``8:33am``, ``5pm``, ``midday``, ``midnight``; "" for none."""
    if not isinstance(value, datetime | time):
        return ""
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).time()
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def govuk_datetime(value: datetime | None) -> str:
    """``30 June 2009 at 8:33am``; "" for none."""
    if not isinstance(value, datetime):
        return govuk_date(value)
    return f"{govuk_date(value)} at {govuk_time(value)}"


def article(word: str) -> str:
    """``word`` with "a" or "an" before it: "a Red", "an Amber", "an update"."""
    word = str(word)
    return f"an {word}" if word[:1].lower() in "aeiou" and word else f"a {word}"


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """``1 due date``, ``2 due dates`` (``plural_form`` when adding "s" is wrong)."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
