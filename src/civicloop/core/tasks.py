from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    *, subject: str, body: str, to: list[str], html: str | None = None, headers: dict[str, str] | None = None
) -> int:
    """Deliver one e-mail through the configured backend (SMTP in production)."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
