"""The offline console, driven by piped input as a script (or CI) would."""

import io
from pathlib import Path

from aiogram.types import BufferedInputFile

from bot.console import Console, Person
from bot.console_screen import Screen
from tests.test_cli import run_cli


def test_new_user_switches_to_chinese_browses_to_10_2_and_searches(tmp_path):
    db = str(tmp_path / "console.sqlite3")
    script = (
        "\n".join(
            [
                "2",  # first start: 简体中文
                "3",  # 🧭 先自己看看
                "7",  # 📚 资料库
                "5",  # 📖 ISO 9001 条款地图
                "7",  # 10 改进
                "2",  # 10.2 不合格和纠正措施
                "/search 纠正措施",
            ]
        )
        + "\n"
    )
    result = run_cli("chat", "--db", db, "--files", str(tmp_path / "files"), stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Welcome to CertReady!" in out  # first screen in English (no saved choice, en app)
    assert "[7] 📚 资料库" in out  # after choosing 简体中文 and exploring alone
    assert "10.2 不合格和纠正措施" in out and "审核员关注什么" in out
    assert "“纠正措施”的搜索结果" in out and "§ 10.2 不合格和纠正措施" in out
    assert out.rstrip().endswith("Bye.")  # end of input exits cleanly

    # Restart: the user is greeted where they left off, still in Chinese.
    again = run_cli("chat", "--db", db, stdin="1\n:quit\n")
    assert again.returncode == 0, again.stderr
    assert "welcome back" in again.stdout
    assert "“纠正措施”的搜索结果" in again.stdout
    assert "不合格和纠正措施" in again.stdout.split("› 1")[-1]


def test_console_photo_and_out_of_range_numbers(tmp_path):
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(b"\xff\xd8\xff fake jpeg")
    script = f"9\n:photo {photo}\n:photo /no/such/file.jpg\n:quit\n"
    result = run_cli("chat", "--db", str(tmp_path / "c.sqlite3"), stdin=script)
    assert result.returncode == 0, result.stderr
    assert "(choose a button from 1 to 2, or ':say 9' to send it)" in result.stdout
    assert "(no such file: /no/such/file.jpg)" in result.stdout
    assert "Traceback" not in result.stderr


async def test_photos_and_documents_the_bot_sends_are_saved(local, en_user, tmp_path):
    await en_user.send("/menu")
    out = io.StringIO()
    screen = Screen(local.api, en_user.chat["id"], tmp_path, out)
    screen.show()
    png = b"\x89PNG\r\n\x1a\n chart"
    await local.bot.send_photo(en_user.id, BufferedInputFile(png, "chart.png"), caption="Chart")
    await local.bot.send_document(en_user.id, BufferedInputFile(b"a,b\n", "report.csv"))
    screen.show()
    text = out.getvalue()
    saved = [
        line.split("saved to ")[1].rstrip("]") for line in text.splitlines() if "saved to" in line
    ]
    assert len(saved) == 2
    assert Path(saved[0]).read_bytes() == png
    assert saved[1].endswith("report.csv") and Path(saved[1]).read_bytes() == b"a,b\n"


async def test_typed_number_presses_the_newest_keyboard(local, tmp_path):
    out = io.StringIO()
    console = Console(local, tmp_path, tmp_path, out)
    console._add(Person(1001, "Anna", "en"))
    console.current = 1001
    await console.act("/menu")
    assert "[8] ⚙️ Settings" in out.getvalue()
    assert await console.act("8")
    assert "Time zone: Shanghai" in out.getvalue()
    assert not await console.act(":quit")


def test_the_readmes_story_runs_from_report_to_verified_close(tmp_path):
    """The README's Chinese story, pasted as a newcomer would: a worker's photo report reaches
    the manager, the worker opens the action from My tasks, the close reaches the worker; run
    again, the manager still sees the photo."""
    from bot import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def script(opening: str) -> str:
        start = readme.index(opening + " <<'EOF'\n")
        return readme[start:].split("\n", 1)[1].split("\nEOF\n", 1)[0] + "\n"

    db, files = str(tmp_path / "story.sqlite3"), str(tmp_path / "files")
    story = script("python -m bot chat --lang zh --db data/story.sqlite3")
    result = run_cli("chat", "--lang", "zh", "--db", db, "--files", files, stdin=story)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(no single button" not in out and "(no invite link" not in out, out[-3000:]
    assert "⚠️ 新报告 NC-" in out and "📷 1" in out  # the manager heard of it, with its photo
    assert "📋 您负责 NC-" in out  # the worker was given the action …
    assert "› :press 您的措施" in out  # … and opened it from My tasks
    assert "🛠 NC-" in out and "的纠正措施已完成" in out  # the manager was told it was done
    assert out.rstrip().split("══ 阿强 (2002) ══")[-1].count("已关闭：原因已找到") == 1
    assert (tmp_path / "story-console" / "people.json").is_file()

    again = script("python -m bot chat --db data/story.sqlite3")
    second = run_cli("chat", "--db", db, "--files", files, stdin=again)
    assert second.returncode == 0 and "(no single button" not in second.stdout, second.stdout
    assert "[photo saved to" in second.stdout  # the photo, after a restart


def test_the_readmes_team_quiz_runs_as_written(tmp_path):
    from bot import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = "python -m bot chat --lang zh --db data/quiz.sqlite3 <<'EOF'\n"
    script = readme[readme.index(opening) :].split("\n", 1)[1].split("\nEOF\n", 1)[0] + "\n"
    db = str(tmp_path / "quiz.sqlite3")
    result = run_cli("chat", "--lang", "zh", "--db", db, "--files", str(tmp_path), stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(no single button" not in out and "(usage: :vote" not in out, out[-3000:]
    assert out.count("(answer with :vote N)") == 3 and "🏆 排行榜 · 华东精密制造" in out
    assert "本周：1 名成员中有 1 人练习 · 答题 3 道" in out


def test_the_consoles_help_and_banner_follow_its_language(tmp_path):
    help_zh = run_cli("chat", "--lang", "zh", "--help")
    assert help_zh.returncode == 0 and "离线控制台：真实的机器人" in help_zh.stdout
    assert "Offline console" in run_cli("chat", "--help").stdout
    banner = run_cli("chat", "--lang", "zh", "--db", str(tmp_path / "c.sqlite3"), stdin=":quit\n")
    assert banner.stdout.startswith("认证通离线控制台")


def test_a_photo_from_an_earlier_console_run_still_opens_and_is_archived(tmp_path):
    photo = tmp_path / "leak.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n leak at press 4")
    db = str(tmp_path / "c.sqlite3")
    first = (
        ":press English\n:press Create an organization\nPhoto Ltd\n:press Continue\n"
        f"/report\n:photo {photo}\n:press Next\nOil under press 4\n:press Skip\n"
        ":press Equipment\n:press Minor\n:press Submit\n"
    )
    run_1 = run_cli("chat", "--db", db, stdin=first)
    assert run_1.returncode == 0 and "Saved as" in run_1.stdout, run_1.stdout[-2000:]
    run_2 = run_cli("chat", "--db", db, stdin="/reports\n:press NC-\n:press Photos\n")
    assert run_2.returncode == 0 and "Traceback" not in run_2.stderr, run_2.stderr
    assert "[photo saved to" in run_2.stdout  # the file id from run 1 is still known
    archived = list((tmp_path / "c-console" / "evidence").rglob("1.jpg"))
    assert archived and archived[0].read_bytes() == photo.read_bytes()


def test_a_manager_plays_a_team_quiz_in_the_consoles_group(tmp_path):
    script = "\n".join(
        [
            "/start",
            ":press 中文",
            ":press 创建",
            "华东精密",
            ":group",
            "/link",
            ":press 中文 + English",
            "/quiz 2",
            ":vote 1",
            ":vote 9",
            ":vote 2",
            ":vote 1",
            ":group",
            "/training",
            ":quit",
        ]
    )
    result = run_cli(
        "chat", "--lang", "zh", "--db", str(tmp_path / "c.sqlite3"), stdin=script + "\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "══ Console (1001) · Team group (console) ══" in out
    assert "本群已关联到华东精密" in out and "🎓 班组知识问答：2 道题" in out
    assert out.count("(answer with :vote N)") == 2 and "  (1) " in out
    assert "(voted 1 ✅)" in out or "(voted 1 ❌ → " in out
    assert "(usage: :vote N, for the first poll shown here not yet answered)" in out
    assert "本周：1 名成员中有 1 人练习 · 答题 2 道" in out  # each poll answered once
