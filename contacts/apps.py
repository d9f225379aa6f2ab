from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from lms.sqlite import install_unicode_like

        # Staff search names in any alphabet; see lms/sqlite.py.
        connection_created.connect(install_unicode_like, dispatch_uid="unicode_like")
