"""Sending SMS: one small interface of the project's own, the backend chosen by `SMS_BACKEND` (as
Django chooses its email backend).

- `notifications.sms.ConsoleBackend` (the default): writes each message to standard output (as
  Django's console email backend does); the demo's outbox.
- `notifications.sms.LocmemBackend` (tests): appends to `notifications.sms.outbox`.
- `notifications.sms.HttpGatewayBackend`: POSTs JSON to `SMS_GATEWAY_URL` with `SMS_GATEWAY_KEY` as a
  bearer token and `SMS_SENDER_ID` as the sender. A gateway with another shape is a subclass that
  overrides `payload` and `headers` (README: "Reminders and notifications").

A backend raises `SmsError` when the message may not have gone (timeout, connection refused, a 5xx or
an unexpected answer); the Celery task (notifications.tasks.send_notification_sms) retries it with
back-off. The message carries the notification's id as `reference`, so a gateway that de-duplicates
on it drops a retry of a message it did accept.

What an SMS says is built by `sms_text`: the subject in the recipient's language and the link, never
more than SMS_MAX_CHARS; anything shaped like a CNIC or an IBAN is masked on the way out, whatever the
notice said (an SMS is read on a lock screen).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any, TextIO

import phonenumbers
import requests
from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message may not have been sent; trying again may help."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +923001234567
    text: str
    reference: str = ""


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the gateway's id for it (may be empty). Raise SmsError on failure."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> str:
        self.stream.write(f"SMS to {message.to} [{message.reference}]: {message.text}\n")
        self.stream.flush()
        return message.reference


# Messages sent through LocmemBackend, in order (tests empty it).
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return message.reference


class HttpGatewayBackend(BaseSmsBackend):
    """A gateway that takes `{"to", "from", "text", "reference"}` as JSON and answers 2xx when it has
    accepted the message."""

    def __init__(self) -> None:
        self.url: str = settings.SMS_GATEWAY_URL
        self.key: str = settings.SMS_GATEWAY_KEY
        self.sender: str = settings.SMS_SENDER_ID
        self.timeout: float = float(settings.SMS_GATEWAY_TIMEOUT)
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set.")

    def payload(self, message: SmsMessage) -> dict[str, Any]:
        return {"to": message.to, "from": self.sender, "text": message.text, "reference": message.reference}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def send(self, message: SmsMessage) -> str:
        try:
            response = requests.post(self.url, json=self.payload(message), headers=self.headers(), timeout=self.timeout)
        except requests.Timeout as error:
            raise SmsError(f"The SMS gateway did not answer within {self.timeout} s.") from error
        except requests.RequestException as error:
            raise SmsError(f"The SMS gateway could not be reached: {error.__class__.__name__}.") from error
        if not 200 <= response.status_code < 300:
            raise SmsError(f"The SMS gateway answered {response.status_code}.")
        try:
            answer = response.json()
        except ValueError:
            return ""
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def get_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_number(mobile: str) -> str | None:
    """A Pakistani mobile number in E.164 (+923001234567), or None when `mobile` is empty, not a
    valid number or a landline. The project keeps no separate 'verified' flag: a mobile number a
    person gave at sign-up (checked by spaces.validators.normalize_mobile) is taken as usable."""
    if not mobile or not mobile.strip():
        return None
    try:
        number = phonenumbers.parse(mobile, "PK")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 92 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# A CNIC (35202-1234567-1 or 13 digits) and a Pakistani IBAN (PK + 22 characters, spaces allowed).
_CNIC = re.compile(r"\b\d{5}-?\d{7}-?\d\b")
_IBAN = re.compile(r"\bPK\d{2}(?:\s?[A-Z0-9]){20}\b", re.IGNORECASE)


def mask_identifiers(text: str) -> str:
    return _IBAN.sub("PK••", _CNIC.sub("•••••-•••••••-•", text))


def sms_text(subject: str, url: str) -> str:
    """The SMS for a notification: its subject (already in the recipient's language) and the absolute
    link, cut to SMS_MAX_CHARS (the link is kept whole)."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    link = f"{base}{url}" if url else ""
    limit = int(settings.SMS_MAX_CHARS)
    room = limit - (len(link) + 1 if link else 0)
    text = " ".join(mask_identifiers(subject).split())
    if len(text) > room:
        text = text[: max(room - 1, 0)].rstrip() + "…"
    return f"{text} {link}" if link else text
