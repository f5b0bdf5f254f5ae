from django.utils.cache import add_never_cache_headers


class PatientPagesNotCachedMiddleware:
    """Pages for signed-in users hold health data: never let a browser or proxy keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        return response
