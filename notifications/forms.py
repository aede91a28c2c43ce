"""The notifications settings form: how a person hears, and (board members) final packs."""

from django import forms

from notifications.models import NotificationPreference

DELIVERY_HINTS = {
    NotificationPreference.Delivery.IMMEDIATE: "An e-mail for each query, answer, milestone "
    "gone Red or final pack, as it happens.",
    NotificationPreference.Delivery.DIGEST: "One e-mail each morning listing everything since "
    "the day before. Nothing is sent on a day with nothing to tell.",
}
PACK_FINAL = "pack_final"


class HintedRadios(forms.RadioSelect):
    """Radios with a hint under each (``hints``: value to text), as GOV.UK's have."""

    def __init__(self, *args, hints: dict[str, str] | None = None, **kwargs):
        self.hints = hints or {}
        super().__init__(*args, **kwargs)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["hint"] = self.hints.get(str(value), "")
        return option


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How do you want to hear from us?",
        choices=NotificationPreference.Delivery.choices,
        widget=HintedRadios(hints=DELIVERY_HINTS),
        error_messages={
            "required": "Select how you want to hear from us",
            "invalid_choice": "Select how you want to hear from us",
        },
    )
    packs = forms.MultipleChoiceField(
        label="Board packs",
        choices=[(PACK_FINAL, "Tell me when the quarter's pack is final")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="When an admin closes a quarter, its board pack is fixed. We will send you "
        "the link to download it.",
        error_messages={"invalid_choice": "Select whether to hear when a pack is final"},
    )

    def __init__(self, *args, board_member: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not board_member:
            del self.fields["packs"]

    @property
    def pack_final(self) -> bool | None:
        """The packs opt-in as chosen; None when this person is not offered it."""
        if "packs" not in self.fields:
            return None
        return PACK_FINAL in self.cleaned_data.get("packs", [])
