"""Dates as the GOV.UK style guide writes them, wherever Django formats one itself (a date
shown without a filter, the admin): "30 June 2009", not "30 Jun 2009". Times have no Django
format for "8:33am"; the service writes them with plans.formatting (the govuk_time filter)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
