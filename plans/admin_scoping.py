"""Django admin scoped to partnerships: a partnership admin works on their own partnership only.

A superuser sees and edits everything, as Django's admin normally allows. Any other staff
user is judged by membership, not by Django's per-model permissions: they see, add, change
and delete only objects of partnerships where their ``Membership`` role is "admin"
(``plans.access.partnership_ids_for``). A staff user who is not a partnership admin sees
nothing. Getting into the admin at all still needs ``is_staff``, which the site operator ticks.

Each admin names its model's path to the partnership in ``partnership_lookup`` (``"pk"`` for
``Partnership`` itself). From that path the mixin scopes:

- the changelist, change, delete and history pages (``get_queryset`` plus an object check,
  because django-simple-history's history pages fall back to a deleted object's last record);
- the choices of every foreign key and many-to-many field, the related-object filters in the
  sidebar, and autocomplete results (Django's autocomplete view searches the related model's
  admin ``get_queryset``, which is scoped the same way);
- saving: a form cannot put an object into a partnership the user is not an admin of, and the
  related objects chosen must belong to the same partnership as the object (for superusers
  too: a Rotherham lead cannot lead a Middlesbrough milestone). Errors are form errors.

User accounts are not partnership data: a partnership admin chooses only among accounts that
already belong to one of their partnerships (as a member, or a linked lead's account that is
not staff or superuser), and the User admin stays with superusers. A partnership admin never
sets ``Person.user``: only the sign-in-link flow links a lead to an account
(``plans.services.lead_user_ensure``), inside the lead's own partnership.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
)
from django.db.models import Q, QuerySet

from plans.access import partnership_ids_for
from plans.models import Membership, Partnership

_IDS_ATTR = "_partnership_admin_ids"
_LIVE_ATTR = "_partnership_admin_live"


def admin_partnership_ids(request) -> list[int] | None:
    """The partnerships the request's user administers, or None for a superuser (all)."""
    user = request.user
    if user.is_active and user.is_superuser:
        return None
    if not hasattr(request, _IDS_ATTR):
        ids = partnership_ids_for(user, roles=(Membership.Role.ADMIN,)) if user.is_staff else []
        setattr(request, _IDS_ATTR, ids)
    return getattr(request, _IDS_ATTR)


def partnership_id_of(obj, path: str) -> int | None:
    """Follow ``path`` ("action__outcome__priority__plan__partnership") from ``obj`` in memory.

    Works on unsaved objects (a new inline's parent); None when a step is missing.
    """
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        try:
            obj = getattr(obj, hop)
        except ObjectDoesNotExist:
            return None
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def partnership_path(admin_site, model) -> str | None:
    """The path to the partnership of ``model``, as its registered admin declares it."""
    try:
        model_admin = admin_site.get_model_admin(model)
    except NotRegistered:
        return None
    return getattr(model_admin, "partnership_lookup", None)


def _users_of(ids: list[int]) -> QuerySet:
    """Accounts a partnership admin may choose: members of their partnerships, and their
    leads' accounts unless staff or superuser (an operator's account linked to a lead record
    must never become a choice for a role)."""
    User = get_user_model()
    linked = Q(people__partnership_id__in=ids, is_staff=False, is_superuser=False)
    return User.objects.filter(Q(memberships__partnership_id__in=ids) | linked).distinct()


class PartnershipCheckedForm:
    """Form mixin: the object stays in the user's partnerships and its choices agree with it.

    ``scope_ids`` (None for a superuser), ``scope_path`` and ``scope_related`` (form field →
    (related model, its partnership path, many)) are set by the admin that builds the form.
    """

    scope_ids: list[int] | None = None
    scope_path = "partnership"
    scope_related: dict = {}

    def clean(self):
        cleaned = super().clean()
        own = self._own_partnership_id(cleaned)
        if own is None:
            return cleaned
        if self.scope_ids is not None and own not in self.scope_ids:
            raise forms.ValidationError(
                "You can only add or change items of a partnership you are an admin of. "
                "Choose one of your partnership's items and save again."
            )
        for name, (model, path, many) in self.scope_related.items():
            value = cleaned.get(name)
            if not value:
                continue
            pks = [item.pk for item in value] if many else [value.pk]
            found = set(
                model._default_manager.filter(pk__in=pks).values_list(
                    "pk" if path == "pk" else path, flat=True
                )
            )
            if found - {own}:
                partnership = Partnership.objects.filter(pk=own).first()
                self.add_error(
                    name,
                    f"Choose {'only ' if many else 'a '}"
                    f"{model._meta.verbose_name_plural if many else model._meta.verbose_name} "
                    f"of {partnership}, the partnership this "
                    f"{self._meta.model._meta.verbose_name} belongs to.",
                )
        return cleaned

    def _own_partnership_id(self, cleaned) -> int | None:
        if self.scope_path == "pk":
            return self.instance.pk
        first, _, rest = self.scope_path.partition("__")
        if first not in cleaned:
            return partnership_id_of(self.instance, self.scope_path)
        start = cleaned[first]
        if start is None:
            return None
        return partnership_id_of(start, rest) if rest else start.pk


class PartnershipScopedAdminMixin:
    """For ``ModelAdmin`` and inlines: partnership admins work on their partnerships only.

    Set ``partnership_lookup`` to the model's path to its partnership.
    """

    partnership_lookup = "partnership"

    # --- What may be seen ---------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_partnership_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.partnership_lookup}__in": ids})

    def _object_in_scope(self, request, obj, model, path) -> bool:
        """``obj`` (of ``model``) and its stored row, if any, are in the user's partnerships."""
        ids = admin_partnership_ids(request)
        if partnership_id_of(obj, path) not in ids:
            return False
        if obj.pk is None:
            return True
        # History pages hand over an old record: the row as stored now must be ours too.
        live = getattr(request, _LIVE_ATTR, None)
        if live is None:
            live = {}
            setattr(request, _LIVE_ATTR, live)
        key = (model._meta.label, obj.pk)
        if key not in live:
            live[key] = (
                model._default_manager.filter(pk=obj.pk)
                .values_list("pk" if path == "pk" else path, flat=True)
                .first()
            )
        return live[key] is None or live[key] in ids

    def _may(self, request, obj) -> bool:
        ids = admin_partnership_ids(request)
        if not ids:
            return False
        if obj is None:
            return True
        if isinstance(self, admin.options.InlineModelAdmin):
            # An inline is asked about its parent object.
            path = partnership_path(self.admin_site, self.parent_model)
            return path is not None and self._object_in_scope(request, obj, self.parent_model, path)
        return self._object_in_scope(request, obj, self.model, self.partnership_lookup)

    def has_module_permission(self, request):
        if admin_partnership_ids(request) is None:
            return super().has_module_permission(request)
        return self._may(request, None)

    def has_view_permission(self, request, obj=None):
        if admin_partnership_ids(request) is None:
            return super().has_view_permission(request, obj)
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        if admin_partnership_ids(request) is None:
            if isinstance(self, admin.options.InlineModelAdmin):
                return super().has_add_permission(request, obj)
            return super().has_add_permission(request)
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        if admin_partnership_ids(request) is None:
            return super().has_change_permission(request, obj)
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        """Only the site operator (a superuser) hard-deletes, here. A staff partnership admin
        removes, merges, ends and withdraws through the product's own pages, whose services
        keep the history and redact what must go (a person's name); deleting here would skip
        them, and a milestone's updates would go with it."""
        if admin_partnership_ids(request) is None:
            return super().has_delete_permission(request, obj)
        return False

    # History to read, never to revert, on every scoped model and for everyone: an old
    # version restored here would skip the service that keeps the model's rules (the last
    # admin of a partnership, a milestone's updates, a person's removal).
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                "Old versions cannot be restored here: change it through the product's pages."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if admin_partnership_ids(request) is None:
            return filters
        # Sidebar filters on a relation list every row of the related table (every
        # partnership's name, every plan's title); offer only what the scoped rows use.
        scoped = []
        for entry in filters:
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    # --- What may be chosen ---------------------------------------------------------------

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if admin_partnership_ids(request) is None:
            return fields
        # Autocomplete asks the related model's admin; only scoped admins answer partnership
        # admins (the User admin is for superusers), so other fields become plain choices.
        return [
            name
            for name in fields
            if partnership_path(self.admin_site, self.model._meta.get_field(name).related_model)
        ]

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        ids = admin_partnership_ids(request)
        if ids is None:
            return queryset
        model = db_field.remote_field.model
        if queryset is None:
            queryset = model._default_manager.using(db).all()
        if model is get_user_model():
            return queryset.filter(pk__in=_users_of(ids).values("pk"))
        path = partnership_path(self.admin_site, model)
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{path}__in": ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if admin_partnership_ids(request) is not None and db_field.name in self.raw_id_fields:
            # A raw id widget prints the name of whatever id is typed in; a list does not.
            kwargs.setdefault("widget", forms.Select)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if admin_partnership_ids(request) is not None and db_field.name in self.raw_id_fields:
            kwargs.setdefault("widget", forms.SelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- What may be saved ----------------------------------------------------------------

    def _checked(self, request, form_class):
        related = {}
        first = self.partnership_lookup.split("__")[0]
        for name in form_class.base_fields:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or name == first or field.related_model is None:
                continue
            path = partnership_path(self.admin_site, field.related_model)
            if path is not None:
                related[name] = (field.related_model, path, field.many_to_many)
        attrs = {
            "scope_ids": admin_partnership_ids(request),
            "scope_path": self.partnership_lookup,
            "scope_related": related,
        }
        return type(form_class.__name__, (PartnershipCheckedForm, form_class), attrs)


def _refuse_nul(values) -> None:
    """A NUL cannot be stored or searched for (PostgreSQL refuses it with an error, a 500):
    a query string holding one is a bad request, answered with a 400."""
    if any("\x00" in value for value in values):
        raise BadRequest("The address holds a character that cannot be searched for.")


class PartnershipScopedModelAdmin(PartnershipScopedAdminMixin):
    """Mixin for a ``ModelAdmin`` (put it before ``admin.ModelAdmin``/``SimpleHistoryAdmin``)."""

    def changelist_view(self, request, extra_context=None):
        _refuse_nul([*request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])])
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # Also the admin's autocomplete, which searches through here.
        _refuse_nul([search_term or ""])
        return super().get_search_results(request, queryset, search_term)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return self._checked(request, super().get_form(request, obj, change=change, **kwargs))

    def save_model(self, request, obj, form, change):
        ids = admin_partnership_ids(request)
        # The form has refused this already; this guards any other way into save_model.
        if ids is not None and partnership_id_of(obj, self.partnership_lookup) not in ids:
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class PartnershipScopedInline(PartnershipScopedAdminMixin):
    """Mixin for an inline (put it before ``admin.TabularInline``/``StackedInline``)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = self._checked(request, formset.form)
        return formset
