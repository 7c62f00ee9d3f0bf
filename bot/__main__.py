"""python -m bot: the command line. It only parses arguments and hands over."""

import argparse
import sys

from bot import cli
from bot.startup import StartupError


def parser() -> argparse.ArgumentParser:
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

    chat = commands.add_parser(
        "chat",
        help="talk to the bot in this terminal, offline",
        description="Offline console: the real bot, no token, no network. "
        "Type text or /commands; type a button's number to "
        "press it; ':photo PATH' sends a photo; ':quit' exits.",
    )
    chat.add_argument(
        "--lang",
        choices=["en", "zh"],
        default=None,
        help="the language your Telegram app reports (default: en)",
    )
    chat.add_argument(
        "--db",
        default="data/console.sqlite3",
        help="database file (default: data/console.sqlite3, apart from the bot's)",
    )
    chat.add_argument(
        "--user-id", type=int, default=1001, help="your Telegram user id in the console"
    )
    chat.add_argument(
        "--files",
        default="console-files",
        help="folder for photos and documents the bot sends (default: console-files)",
    )
    chat.set_defaults(handler=cli.chat)

    migrate = commands.add_parser(
        "migrate",
        help="check catalogs, apply migrations, load content",
        description="Prepare a release: check the catalogs, migrate the database, load content.",
    )
    migrate.set_defaults(handler=cli.migrate)

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
    args = parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except StartupError as error:  # to fix in the deployment: one line each, no traceback
        print(*error.lines, sep="\n", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
