"""python -m bot: the command line. It only parses arguments and hands over."""

import argparse
import sys

from bot import cli
from bot.startup import StartupError

# The console speaks the language it is asked to: `chat --lang zh --help` is in Chinese.
CHAT_HELP = {
    "en": {
        "help": "talk to the bot in this terminal, offline",
        "description": "Offline console: the real bot, no token, no network. Type text or "
        "/commands; type a button's number to press it (':press TEXT' by its text); "
        "':photo PATH' sends a photo; ':as 2002 Name --lang zh' becomes another person; "
        "':link' opens the newest invite link; ':quit' exits.",
        "lang": "the language your Telegram app reports (default: en)",
        "db": "database file (default: data/console.sqlite3, apart from the bot's); the "
        "console's people, files and evidence are kept beside it",
        "user_id": "your Telegram user id in the console",
        "files": "folder for photos and documents the bot sends (default: console-files)",
    },
    "zh": {
        "help": "在终端里离线使用机器人",
        "description": "离线控制台：真实的机器人，无需令牌，无需联网。直接输入文字或 /命令；"
        "输入按钮的数字即可按下（“:press 文字”按文字按下）；“:photo 路径”发送照片；"
        "“:as 2002 姓名 --lang en”切换为另一个人；“:link”打开最近的邀请链接；“:quit”退出。",
        "lang": "您的 Telegram 应用所用的语言（默认：en）",
        "db": "数据库文件（默认：data/console.sqlite3，与正式机器人分开）；控制台的人员、文件和"
        "证据保存在它旁边",
        "user_id": "您在控制台中的 Telegram 用户 ID",
        "files": "保存机器人发送的照片和文件的文件夹（默认：console-files）",
    },
}


def parser(chat_language: str = "en") -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot", description="CertReady (认证通): ISO 9001 readiness bot for Telegram."
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot against Telegram (long polling)",
        description="Run the bot: long polling, or a webhook with --webhook.",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook on $PORT instead of polling "
        "(needs WEBHOOK_URL and WEBHOOK_SECRET)",
    )
    run.set_defaults(handler=cli.run)

    words = CHAT_HELP[chat_language]
    chat = commands.add_parser("chat", help=words["help"], description=words["description"])
    chat.add_argument("--lang", choices=["en", "zh"], default=None, help=words["lang"])
    chat.add_argument("--db", default="data/console.sqlite3", help=words["db"])
    chat.add_argument("--user-id", type=int, default=1001, help=words["user_id"])
    chat.add_argument("--files", default="console-files", help=words["files"])
    chat.set_defaults(handler=cli.chat)

    migrate = commands.add_parser(
        "migrate",
        help="check catalogs, apply migrations, load content",
        description="Prepare a release: check the catalogs, migrate the database, load content.",
    )
    migrate.set_defaults(handler=cli.migrate)

    backup = commands.add_parser(
        "backup",
        help="copy the database and evidence, consistently, while the bot runs",
        description="A consistent online copy (SQLite backup API) of DATABASE_PATH and "
        "EVIDENCE_PATH into DEST, a new or empty folder.",
    )
    backup.add_argument("dest", help="the folder to write the backup to")
    backup.set_defaults(handler=cli.backup)
    restore = commands.add_parser(
        "restore",
        help="put a backup back (not while a bot runs on the database)",
        description="Restore DATABASE_PATH and EVIDENCE_PATH from a backup folder; the "
        "database replaced is kept beside it as .before-restore.",
    )
    restore.add_argument("src", help="a folder written by `python -m bot backup`")
    restore.set_defaults(handler=cli.restore)

    status = commands.add_parser(
        "status",
        help="is the bot well? exit 1 if not",
        description="Check that a bot runs on DATABASE_PATH, the database is migrated, the "
        "outbox keeps up and the scheduler ticks; one line each; exit 1 when one fails.",
    )
    status.add_argument("--json", action="store_true", help="print the checks as JSON")
    status.set_defaults(handler=cli.status)

    content = commands.add_parser(
        "content",
        help="load, check or count the content",
        description="Work with the reviewed sources in content/.",
    )
    actions = content.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="validate content/ and load it into the database",
        description="Validate content/ and, if valid, load it.",
    )
    load.set_defaults(handler=cli.content_load)
    check = actions.add_parser(
        "check",
        help="validate content/ without loading it",
        description="Validate content/; exit 1 listing every problem.",
    )
    check.set_defaults(handler=cli.content_check)
    stats = actions.add_parser(
        "stats",
        help="count loaded items per kind and language",
        description="Count loaded content items per kind and language.",
    )
    stats.add_argument(
        "--json", action="store_true", help='print {"<kind>": {"<lang>": count}} as JSON'
    )
    stats.set_defaults(handler=cli.content_stats)
    return root


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    chinese = "chat" in given and any(
        a == "--lang=zh" or (a == "--lang" and given[i + 1 : i + 2] == ["zh"])
        for i, a in enumerate(given)
    )
    args = parser("zh" if chinese else "en").parse_args(argv)
    try:
        return args.handler(args) or 0
    except StartupError as error:  # to fix in the deployment: one line each, no traceback
        print(*error.lines, sep="\n", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
