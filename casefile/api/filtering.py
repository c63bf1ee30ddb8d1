"""The API's use of the shared CaseFilter: strict about what it is given."""

from django_filters.rest_framework import DjangoFilterBackend

from casefile.api.exceptions import ApiError, error_item, parameter_errors
from casefile.api.pagination import PAGINATION_PARAMS


def reject_unknown_parameters(request, allowed: set[str]) -> None:
    """A misspelt filter must not silently return everything: name what was not understood."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiError(
            status_code=400,
            code="unknown_parameters",
            detail=f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: "
            f"{', '.join(unknown)}. Accepted here: {', '.join(sorted(allowed)) or 'none'}.",
            errors=[
                error_item("query", name, "Not a parameter of this endpoint.", "unknown")
                for name in unknown
            ],
        )


def invalid_parameters(form_errors) -> ApiError:
    return ApiError(
        status_code=400,
        code="invalid_parameters",
        detail="Some query parameters are not valid.",
        errors=parameter_errors(form_errors),
    )


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend answering bad values with the API's error shape."""

    def filter_queryset(self, request, queryset, view):
        return self.valid_filterset(request, queryset, view).qs

    def valid_filterset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise invalid_parameters(filterset.form.errors)
        return filterset


def allowed_parameters(view) -> set[str]:
    filterset_class = getattr(view, "filterset_class", None)
    names = set(filterset_class.base_filters) if filterset_class else set()
    names |= set(getattr(view, "extra_parameters", ()))
    if getattr(view, "action", None) == "list" and getattr(view, "pagination_class", None):
        names |= PAGINATION_PARAMS
    return names


class StrictQueryMixin:
    """Every endpoint names the query parameters it does not understand (400)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, allowed_parameters(self))
