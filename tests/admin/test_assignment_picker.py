"""Issue 13 §7: the assignment picker shows each organisation's provider reference, assigned ones first, filters
as you type (static/js/admin.js) and, without JS, through a plain GET form whose filtered-out assignments survive."""

from __future__ import annotations

import re

from tests.admin.helpers import admin, events, post
from tests.factories import make_org, make_user
from webapp.extensions import db
from webapp.services.users import assigned_organization_ids


def _picker(page: str) -> str:
    return page.split('id="assignment-list"', 1)[1].split("</fieldset>", 1)[0]


def test_the_picker_lists_references_assigned_first_and_filters_on_the_server(app, client):
    alpha = make_org(name="Alpha Twin", provider_account_ref="ref-alpha-1")
    twin = make_org(name="Alpha Twin", provider_account_ref="ref-alpha-2")
    zulu = make_org(name="Zulu Corp", provider_account_ref="zz-9")
    manager = make_user(organizations=[zulu])
    db.session.commit()
    admin(client)
    page = client.get(f"/admin/users/{manager.id}").get_data(as_text=True)
    picker = _picker(page)
    assert picker.index("Zulu Corp") < picker.index("Alpha Twin")  # assigned first
    assert '<code class="ref">ref-alpha-1</code>' in picker and '<code class="ref">ref-alpha-2</code>' in picker
    assert 'data-filter-text="alpha twin ref-alpha-2"' in picker
    assert 'data-filter-list="#assignment-list"' in page and "admin.js" in page
    filtered = client.get(f"/admin/users/{manager.id}?org_q=ALPHA-2").get_data(as_text=True)
    assert re.findall(r'value="(\d+)"', _picker(filtered)) == [str(twin.id)]
    assert f'<input type="hidden" name="organizations" value="{zulu.id}">' in filtered
    assert "1 assigned organisation not shown by the filter stays assigned" in filtered
    assert alpha.id not in assigned_organization_ids(manager.id)


def test_saving_a_filtered_picker_keeps_the_assignments_it_did_not_show(app, client):
    kept, added = make_org(name="Kept Org"), make_org(name="Added Org")
    manager = make_user(organizations=[kept])
    db.session.commit()
    admin(client)
    filtered = client.get(f"/admin/users/{manager.id}?org_q=added").get_data(as_text=True)
    form = filtered.split('id="assignments"', 1)[1].split("</form>", 1)[0]
    submitted = [*re.findall(r'type="hidden" name="organizations" value="(\d+)"', form), str(added.id)]
    assert post(client, f"/admin/users/{manager.id}/assignments", {"organizations": submitted}).status_code == 303
    assert assigned_organization_ids(manager.id) == {kept.id, added.id}
    assert events("assignments_changed")[-1].details == {"added": [added.id], "removed": []}
