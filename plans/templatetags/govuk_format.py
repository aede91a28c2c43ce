"""Template filters writing dates, times and articles as the GOV.UK style guide does
(plans.formatting): ``{{ value|govuk_date }}``, ``{{ value|govuk_time }}``,
``{{ value|govuk_datetime }}``, ``{{ status_label|with_article }}``."""

from django import template

from plans import formatting

register = template.Library()

register.filter("govuk_date", formatting.govuk_date)
register.filter("govuk_time", formatting.govuk_time)
register.filter("govuk_datetime", formatting.govuk_datetime)
register.filter("with_article", formatting.article)
