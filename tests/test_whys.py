"""The 5 Whys ask why the last answer happened: "为什么会“密封圈老化”？" in both languages."""

from tests.test_onboarding import create_org


async def open_analysis(boss, zh: bool) -> None:
    """The manager reports a leak, opens it from /reports and starts the 5 Whys."""
    await boss.send("/report")
    await boss.send("3号压力机漏油" if zh else "Oil leak at press 3")
    await boss.press("⏭ 跳过" if zh else "⏭ Skip")
    await boss.press("设备" if zh else "Equipment")
    await boss.press("🟢 轻微" if zh else "🟢 Minor")
    await boss.press("✅ 提交" if zh else "✅ Submit")
    await boss.send("/reports")
    await boss.press("NC-")  # the only report
    await boss.press("🔍 开始原因分析" if zh else "🔍 Start the analysis")
    await boss.press("❓ 5 个为什么" if zh else "❓ 5 Whys")


async def test_each_why_in_chinese_quotes_the_answer_before_it(local):
    boss = local.user(9101, language_code="zh", first_name="周经理")
    await create_org(boss, "华东精密制造")
    await open_analysis(boss, zh=True)
    assert boss.text() == "第 1 问：为什么会发生这个问题？请输入原因。"

    await boss.send("密封圈老化")
    assert boss.text().endswith("第 2 问：为什么会“密封圈老化”？请输入原因。")
    assert "1. 密封圈老化" in boss.text()

    await boss.send("一直没有更换\n保养计划里没有这一项。")  # one line, no 。 in the quote
    assert boss.text().endswith(
        "第 3 问：为什么会“一直没有更换 保养计划里没有这一项”？请输入原因。"
    )

    long = "保养计划是十年前写的，" * 20  # 220 characters: the quote is cut near 80
    await boss.send(long)
    quoted = boss.text().rsplit("为什么会“", 1)[1].split("”？", 1)[0]
    assert quoted.endswith("…") and len(quoted) <= 80 and long.startswith(quoted[:-1])

    await boss.send("没人负责")
    await boss.send("岗位职责里没写")  # the fifth: no sixth question
    assert "为什么会" not in boss.text() and "5. 岗位职责里没写" in boss.text()
    await boss.press("🎯 这就是根本原因")
    assert "根本原因：密封圈老化 → 一直没有更换" in boss.text()


async def test_each_why_in_english_quotes_the_answer_before_it(local):
    boss = local.user(9201, language_code="en", first_name="Alice")
    await create_org(boss, "Acme", lang="en")
    await open_analysis(boss, zh=False)
    assert boss.text() == "Why 1? Type why it happened."

    await boss.send("the seal aged <fast>")  # shown as typed, not taken as HTML
    assert boss.text().endswith("Why 2? Why did “the seal aged <fast>” happen? Type the reason.")
    await boss.press("🎯 This is the root cause")
    assert "Root cause: the seal aged <fast>" in boss.text()
