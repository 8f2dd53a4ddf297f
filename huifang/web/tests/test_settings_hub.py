"""设置 lists the configuration pages a user may reach, and only those."""


def test_an_admin_sees_the_configuration_and_an_officer_only_tokens(two_branches, client):
    client.force_login(two_branches["admin"])
    page = client.get("/settings/").content.decode()
    for href in ("/users/", "/questionnaires/", "/policies/", "/calendar/", "/account/tokens/"):
        assert f'href="{href}"' in page
    client.force_login(two_branches["officer"])
    page = client.get("/settings/").content.decode()
    assert 'href="/account/tokens/"' in page
    assert 'href="/users/"' not in page and 'href="/policies/"' not in page
