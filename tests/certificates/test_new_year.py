"""The year in a certificate's number and date is the school's local year, across New Year."""

import datetime
from zoneinfo import ZoneInfo

from certificates.services import certificate_issue, certificate_pdf
from tests.factories import AccessFactory, ContactFactory
from tests.helpers import pdf_text

KYIV = ZoneInfo("Europe/Kyiv")


def test_a_second_before_and_after_midnight_on_new_years_eve(
    settings, project, course, alice, time_machine
):
    # The server keeps UTC; the school is in Kyiv, and its certificates print Kyiv's year.
    settings.TIME_ZONE = "UTC"
    project.time_zone = "Europe/Kyiv"
    project.save()
    printed = []
    # 00:00:01 in Kyiv is still 31 December (22:00:01) in UTC.
    for moment in (
        datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=KYIV),
        datetime.datetime(2027, 1, 1, 0, 0, 1, tzinfo=KYIV),
    ):
        time_machine.move_to(moment, tick=False)
        contact = ContactFactory(project=project)
        AccessFactory(contact=contact, course=course)
        certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
        text = pdf_text(certificate_pdf(certificate=certificate))
        printed.append((certificate.number, certificate.snapshot["issue_date"], text))

    (old_number, old_date, old_text), (new_number, new_date, new_text) = printed
    assert (old_number, old_date) == ("PY-2026-000001", "31 December 2026")
    # The school's sequence goes on; the year in the number turns.
    assert (new_number, new_date) == ("PY-2027-000002", "1 January 2027")
    assert "PY-2026-000001" in old_text and "31 December 2026" in old_text
    assert "PY-2027-000002" in new_text and "1 January 2027" in new_text
