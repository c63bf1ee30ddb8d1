import pytest

from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db


def test_home_lists_published_cases_only(client):
    make_case(person=make_person(name_original="刘虎"))
    make_case(person=make_person(name_original="张三"), publication_state="draft")
    make_case(person=make_person(name_original="李四", privacy="withheld"))
    make_case(person=make_person(name_original="王五", privacy="pseudonymised", pseudonym="W."))
    response = client.get("/")
    assert response.status_code == 200
    assert 'Liu Hu (<span lang="zh-Hans">刘虎</span>)' in response.text  # marked as Chinese
    for hidden in ("张三", "李四", "Li Si", "王五", "Wang Wu"):
        assert hidden not in response.text
    assert "W." in response.text


def test_pages_load_nothing_from_other_servers(client):
    response = client.get("/")
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "http://" not in response.text.replace("http://testserver", "")
    assert "https://" not in response.text
