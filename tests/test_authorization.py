"""Nobody reaches what their role does not allow — not even with crafted callback data."""

import copy

import pytest

from bot.services import orgs
from tests.conftest import MENU_ZH
from tests.test_onboarding import create_org, new_invite

MANAGER_WIDGETS = ["members", "invites", "places"]  # buttons on a manager's organization screen


@pytest.fixture
async def acme(local):
    """Acme: admin Alice, worker Wang; Other Ltd: admin Olga; and a stranger."""
    alice = local.user(3101, language_code="en", first_name="Alice")
    await create_org(alice, "Acme", lang="en")
    wang = local.user(3102, language_code="zh", first_name="王")
    await wang.send("/start " + await new_invite(alice, "worker", zh=False))
    olga = local.user(3103, language_code="en", first_name="Olga")
    await create_org(olga, "Other Ltd", lang="en")
    stranger = local.user(3104, language_code="en", first_name="Sam")
    await stranger.send("/start")
    await stranger.press("✅ English")
    await stranger.press("🧭 Explore on my own")
    return {"alice": alice, "wang": wang, "olga": olga, "stranger": stranger}


def intent_of(message: dict) -> str:
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return data.split("\x1d")[0]


@pytest.mark.parametrize("who", ["wang", "stranger"])
@pytest.mark.parametrize("widget", MANAGER_WIDGETS)
async def test_hidden_manager_buttons_cannot_be_pressed_by_crafting(acme, who, widget, local):
    person = acme[who]
    await person.send("/org")
    screen = copy.deepcopy(person.keyboard_message())
    answer = await person.press_data(f"{intent_of(screen)}\x1d{widget}", screen)
    assert answer is not None
    every_screen = "\n".join(person.text(m) for m in person.messages())
    for secret in (
        "👥 Members (",
        "👥 成员（",
        "Open invites",
        "有效邀请",
        "📍 Areas\n",
        "📍 区域\n",
    ):
        assert secret not in every_screen
    if answer.get("text"):  # refused with a message in the person's language
        assert answer["text"] in (
            "只有本组织的主管和管理员才能进行此操作。",
            "Only managers and admins of your organization can do that.",
        )


@pytest.mark.parametrize("who", ["wang", "stranger", "olga"])
async def test_manager_commands_are_refused(acme, who, local):
    person = acme[who]
    if who == "olga":  # Olga is an admin, but of another organization
        await person.send("/org")
        await person.press("👥 Members")
        screen = copy.deepcopy(person.keyboard_message())
        wang_id = acme["wang"].id
        answer = await person.press_data(f"{intent_of(screen)}\x1dpeople:{wang_id}", screen)
        assert answer["text"] == "Only managers and admins of your organization can do that."
        assert "王" not in person.transcript(3)
        return
    await person.send("/invite")
    refused = {
        "wang": "只有本组织的主管和管理员才能进行此操作。",
        "stranger": "Only managers and admins of your organization can do that.",
    }
    assert refused[who] in person.transcript(2)
    assert "start=" not in "\n".join(person.text(m) for m in person.messages())


async def test_a_demoted_manager_loses_access_at_once(acme, local):
    alice, wang = acme["alice"], acme["wang"]
    orgs.change_role(local.db, alice.id, wang.id, "manager")
    await wang.send("/org")
    await wang.press("👥 成员")
    assert "🧭 王 · 主管" in wang.buttons()
    orgs.change_role(local.db, alice.id, wang.id, "worker")  # meanwhile, Alice changes her mind
    answer = await wang.press("👑 Alice · 管理员")
    assert answer["text"] == "只有本组织的主管和管理员才能进行此操作。"
    assert wang.buttons() == MENU_ZH  # back at the menu, nothing revealed


async def test_crafted_role_change_for_an_admin_by_a_manager(acme, local):
    alice, wang = acme["alice"], acme["wang"]
    orgs.change_role(local.db, alice.id, wang.id, "manager")
    await wang.send("/org")
    await wang.press("👥 成员")
    await wang.press("🧭 王 · 主管")
    screen = copy.deepcopy(wang.keyboard_message())
    intent = intent_of(screen)
    # Switch the screen to Alice, then press the hidden "make worker" for her.
    listing_answer = await wang.press_data(f"{intent}\x1dpeople:{alice.id}", screen)
    assert listing_answer is not None
    answer = await wang.press_data(f"{intent}\x1dworker", screen)
    assert answer is not None
    assert orgs.membership(local.db, alice.id).role == "admin"
