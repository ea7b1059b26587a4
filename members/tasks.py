"""Periodic work of the members app: anonymising departed members once their retention ends."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jwcu.queue import background_task, periodic
from members.models import WorkerMember
from members.services import member_anonymise

BATCH = 500


@periodic(every=datetime.timedelta(days=1))
@background_task(label=_("Anonymise members past their retention"), timeout=datetime.timedelta(hours=1))
def anonymise_members_past_retention() -> int:
    """Anonymise (members.services.member_anonymise, one transaction and history entry each)
    every member who left MEMBER_RETENTION_YEARS or more ago; the number anonymised."""
    today = timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - settings.MEMBER_RETENTION_YEARS)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - settings.MEMBER_RETENTION_YEARS, day=28)
    due = WorkerMember.objects.filter(anonymised_on=None, left_on__lte=cutoff).order_by("pk")
    anonymised, last = 0, 0
    while batch := list(due.filter(pk__gt=last)[:BATCH]):
        for member in batch:
            try:
                member_anonymise(member, today=today)
            except ValidationError:  # changed meanwhile (rejoined, or anonymised by hand)
                continue
            anonymised += 1
        last = batch[-1].pk
    return anonymised
