from django.contrib import admin

from casefile.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pseudonym", "privacy", "occupation", "updated_at"]
    list_filter = ["privacy", "updated_at"]
    search_fields = ["name_original", "name_romanized", "name_keys", "pseudonym", "occupation"]
    readonly_fields = ["name_keys", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name_original", "name_romanized", "aliases", "occupation"]}),
        ("Privacy", {"fields": ["privacy", "pseudonym"]}),
        ("Internal", {"fields": ["notes", "name_keys", "created_at", "updated_at"]}),
    ]
