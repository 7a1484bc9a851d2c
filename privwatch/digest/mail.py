"""The message (MIME, headers safe to send) and its delivery over SMTP, with retries."""

from __future__ import annotations

import secrets
import smtplib
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import HeaderParser
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, Any

from privwatch.digest.period import DigestError
from privwatch.digest.text import CONTROL_CHARACTERS, count_of, one_line

if TYPE_CHECKING:
    from config.settings import SmtpSettings

BACKOFF_SECONDS = 2.0  # first retry after 2 s, then 4 s, 8 s ...


def parse_address(value: str, what: str) -> Address:
    """One mailbox ("a@x.org" or "Name <a@x.org>"); anything else, CR/LF included, is refused."""
    if CONTROL_CHARACTERS.search(value):
        raise DigestError(f"{what}: {value!r} contains control characters")
    name, addr_spec = parseaddr(value)
    if "@" not in addr_spec or addr_spec.startswith("@") or addr_spec.endswith("@"):
        raise DigestError(f"{what}: {value!r} is not an e-mail address")
    try:
        return Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise DigestError(f"{what}: {value!r} is not an e-mail address ({exc})") from None


class EncodedSubject(str):
    """A Subject header folded as RFC 2047 encoded words, each under 76 characters, that every mail
    reader decodes back to the exact text. The email package's own folder is used when its result reads
    back exactly; it does not always: a first word longer than a line is folded right after "Subject:"
    (the value then starts with a space), and a space between plain and encoded words can be lost."""

    name = "Subject"

    def fold(self, *, policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def folded_subject(subject: str) -> str:
    """The subject as the message should hold it: itself when SMTP folding reads back exactly, else an
    EncodedSubject."""
    folded = SMTP.header_factory("Subject", subject).fold(policy=SMTP)
    if HeaderParser(policy=SMTP).parsestr(folded)["Subject"] == subject:
        return subject
    return EncodedSubject(subject)


def compose_message(
    *,
    subject: str,
    sender: Address,
    recipients: Sequence[Address],
    text: str,
    html: str,
    now: datetime,
    kind: str = "digest",
) -> EmailMessage:
    """A multipart/alternative UTF-8 message (plain text first, HTML preferred by clients)."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = folded_subject(one_line(subject))
    message["From"] = sender
    message["To"] = tuple(recipients) if recipients else "undisclosed-recipients:;"
    message["Date"] = format_datetime(now.astimezone(UTC))
    # short enough not to be folded (make_msgid's are not), which some parsers then read with a space
    unique = f"{now.astimezone(UTC):%Y%m%d%H%M%S}.{secrets.token_hex(6)}"
    message["Message-ID"] = f"<privwatch-{kind}.{unique}@{sender.domain or 'privwatch.local'}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders stay quiet
    # quoted-printable keeps the message 7-bit: left alone, the email package would pick 8bit for
    # Chinese text, which a server without 8BITMIME may mangle
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


# -- sending ------------------------------------------------------------------------------------------


class DeliveryError(DigestError):
    """The SMTP server did not take the message."""


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):  # replies: 4xx try again later, 5xx never
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, (smtplib.SMTPNotSupportedError, ssl.SSLError)):
        return False  # a TLS or extension mismatch is configuration: retrying cannot help
    return isinstance(exc, (smtplib.SMTPServerDisconnected, OSError))


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + ", ".join(
            f"{addr} ({code} {one_line(reply.decode(errors='replace'))})"
            for addr, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"{type(exc).__name__}: {exc.smtp_code} {one_line(reply)}"
    return one_line(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__


def _deliver_once(
    message: EmailMessage, smtp: SmtpSettings, envelope_from: str, envelope_to: list[str]
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    if smtp.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        client.ehlo()
        if smtp.tls == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        return client.send_message(message, from_addr=envelope_from, to_addrs=envelope_to)
    finally:
        # the message is already accepted when QUIT fails: never let that turn into a retry
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def deliver(
    message: EmailMessage,
    smtp: SmtpSettings,
    envelope_from: str,
    envelope_to: list[str],
) -> dict[str, tuple[int, bytes]]:
    """Send the message, retrying transient failures with exponential backoff.

    Returns the recipients the server refused while accepting the others; raises DeliveryError (one
    line) when the message was not accepted at all.
    """
    where = f"{smtp.host}:{smtp.port} ({smtp.tls})"

    def verdict(exc: Exception) -> tuple[bool, str] | None:
        if not isinstance(exc, (smtplib.SMTPException, OSError)):
            return None
        return _is_transient(exc), f"SMTP {where}: {_describe(exc)}"

    return with_retries(
        lambda: _deliver_once(message, smtp, envelope_from, envelope_to), smtp.retries + 1, verdict
    )


def with_retries(
    action: Callable[[], Any], attempts: int, verdict: Callable[[Exception], tuple[bool, str] | None]
) -> Any:
    """Run action up to `attempts` times with exponential backoff (BACKOFF_SECONDS, then twice as long
    each time), saying each retry on stderr; its result, or DeliveryError (one line) once it failed for good.

    verdict(exc) says whether a failure is transient (worth another attempt) and describes it in one
    line; None lets the exception through untouched.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as exc:
            judged = verdict(exc)
            if judged is None:
                raise
            transient, problem = judged
            if not transient:
                raise DeliveryError(problem) from None
            if attempt == attempts:
                raise DeliveryError(f"{problem} (gave up after {count_of(attempts, 'attempt')})") from None
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
            print(f"{problem}; retrying in {delay:g} s (retry {attempt} of {attempts - 1})", file=sys.stderr)
            time.sleep(delay)
    raise AssertionError("unreachable")
