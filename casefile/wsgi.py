import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casefile.settings")

application = get_wsgi_application()

# Load now, in each server process, what the first search would otherwise load: OpenCC's
# dictionaries (a query in characters) and the syllables near misses are spelled with.
from casefile.cases.search import warm_up  # noqa: E402

warm_up()
