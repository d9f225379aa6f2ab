"""Staff access rules, checked in one place and used by every app's staff pages.

Every staff URL starts with the project's slug. `staff_view` resolves it against the user's
memberships; anyone else gets 404, the same answer as for a project that does not exist.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership

# Managers do the daily work (Issue now, ×, downloads, the report and its exports); owners and
# admins also configure: templates, certificate settings and bulk jobs. The README's role table
# says the same, and tests/test_roles.py pins it for every staff URL.
EDITOR_ROLES = {Membership.Role.OWNER, Membership.Role.ADMIN}


def staff_view(view=None, *, editor=False):
    """Scope a view to `request.project`; `editor=True` also needs the owner or admin role."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, project_slug, *args, **kwargs):
            membership = (
                Membership.objects.select_related("project")
                .filter(user=request.user, project__slug=project_slug)
                .first()
            )
            if membership is None:
                raise Http404("Not found or no permission")
            if editor and membership.role not in EDITOR_ROLES:
                raise Http404("Not found or no permission")
            request.membership = membership
            request.project = membership.project
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


def project_object(queryset, request, **lookup):
    """Fetch one object of the current project, or 404 (never 403) for anything else."""
    return get_object_or_404(queryset, project=request.project, **lookup)
