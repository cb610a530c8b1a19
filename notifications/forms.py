"""The preferences form: one checkbox per kind and channel (email, SMS); the portal is always on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, Kind, always_on
from .models import EmailDelivery


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """Built from the catalogue (notifications.kinds). `current` is {(kind, channel): wanted}; a legal
    notice's email and, for a person who cannot receive SMS, every SMS box are shown but disabled (a
    disabled field keeps its initial value whatever is posted)."""

    def __init__(
        self,
        *args,
        current: dict[tuple[str, str], bool],
        sms_possible: bool,
        delivery: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if delivery is not None:
            # Staff only: each email as it comes, or one digest every morning.
            self.fields["email_delivery"] = forms.ChoiceField(
                label=_("Your emails"),
                choices=EmailDelivery.Mode.choices,
                initial=delivery,
                widget=forms.RadioSelect,
            )
        for kind in Kind:
            for channel in Channel:
                self.fields[field_name(kind, channel)] = forms.BooleanField(
                    label=channel.label,
                    required=False,
                    initial=current[(kind, channel)],
                    disabled=always_on(kind, channel) or (channel == Channel.SMS and not sms_possible),
                )

    def choices(self) -> dict[tuple[str, str], bool]:
        """What the person may change, as {(kind, channel): wanted}."""
        return {
            (kind, channel): bool(self.cleaned_data[field_name(kind, channel)])
            for kind in Kind
            for channel in Channel
            if not self.fields[field_name(kind, channel)].disabled
        }
