from .models import User
from .views import THEME_COOKIE


def theme(request):
    """The colour theme to render: the account's choice, else the browser's cookie, else the system's."""
    user = getattr(request, "user", None)  # Absent on error pages for requests refused early.
    if user is not None and user.is_authenticated:
        return {"theme": user.theme}
    chosen = request.COOKIES.get(THEME_COOKIE)
    return {"theme": chosen if chosen in User.Theme.values else User.Theme.SYSTEM}
