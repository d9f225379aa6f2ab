"""The staff home (land in the user's school, or pick one) and the school's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .access import staff_view
from .forms import SchoolSettingsForm
from .selectors import staff_memberships
from .services import AccountError, school_update


@login_required
def home(request):
    """Land in the user's project; a member of several picks one."""
    memberships = staff_memberships(user=request.user)
    if len(memberships) == 1:
        return redirect("staff:contacts", project_slug=memberships[0].project.slug)
    return render(request, "staff/home.html", {"memberships": memberships})


@require_http_methods(["GET", "POST"])
@staff_view(editor=True)
def school_settings(request):
    """The language and time zone the school prints and sends in."""
    project = request.project
    initial = {"language": project.language, "time_zone": project.time_zone}
    form = SchoolSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            school_update(project=project, **form.cleaned_data)
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Settings of %(school)s saved.") % {"school": project})
            return redirect("staff:school_settings", project.slug)
    return render(request, "staff/settings.html", {"section": "settings", "form": form})
