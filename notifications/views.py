"""The Notifications settings page: any signed-in person chooses how they hear."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView

from notifications import selectors, services
from notifications.forms import PACK_FINAL, PreferenceForm


def is_board_member(user) -> bool:
    """Whether ``user`` sits on any partnership's board (and so may hear of final packs).

    Read through the reverse relation plans gives the user (``memberships``), as this app
    sits below plans and does not import it; "board" is ``plans.models.Membership.Role.BOARD``.
    """
    return user.memberships.filter(role="board").exists()


class PreferencesView(FormView):
    template_name = "notifications/preferences.html"
    form_class = PreferenceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.preference = selectors.preference_for(user=request.user)
            self.board_member = is_board_member(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "board_member": self.board_member}

    def get_initial(self):
        return {
            "delivery": self.preference.delivery,
            "packs": [PACK_FINAL] if self.preference.pack_final else [],
        }

    def form_valid(self, form):
        services.preference_set(
            user=self.request.user,
            delivery=form.cleaned_data["delivery"],
            pack_final=form.pack_final,
        )
        messages.success(self.request, "Your notification settings have been saved.")
        return redirect("notifications:preferences")

    def get_context_data(self, **kwargs):
        return super().get_context_data(board_member=self.board_member, **kwargs)
