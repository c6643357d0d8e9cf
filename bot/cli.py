"""The ``newsbot`` command: ingest sources, ask questions, run the bot.

It only parses options, calls the index and prints; every expected failure
of the index becomes a one-line message and a non-zero exit.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from dotenv import load_dotenv

from index.errors import NewsbotError, QuestionError
from index.fetch import Fetcher

from .format import SOURCES_SHOWN, answers_text, display_date
from .redact import redact_in_logs
from .settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from index.embed import Embedder

logger = logging.getLogger(__name__)

# shared/eval beside the repository, as laid out for development and CI.
DEFAULT_EVAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval"


def configure_logging(level: str, secrets: tuple[str | None, ...] = ()) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # At INFO httpx logs every request URL, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "trafilatura", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redact_in_logs(*secrets)


@contextmanager
def friendly_errors() -> Iterator[None]:
    try:
        yield
    except (NewsbotError, SettingsError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


def open_index(settings: Settings, db: Path | None):
    """Load the model and open the index (the slow part, so done once per command)."""
    from index.engine import DEFAULT_MIN_SCORE, NewsIndex
    from index.ingest import FLUSH_TEXTS

    return NewsIndex(db or settings.db, embedder=embedder_for(settings),
                     fetcher=Fetcher(allow_private=settings.allow_private_urls),
                     min_score=DEFAULT_MIN_SCORE if settings.min_score is None else settings.min_score,
                     flush_texts=settings.ingest_batch or FLUSH_TEXTS)


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model and backend the settings name (loads the model)."""
    from index.embed import Embedder

    return Embedder(settings.model, backend=settings.backend)


db_option = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="Index database (default: $NEWSBOT_DB, else ./data/news.db).")


def data_options(command: Callable) -> Callable:
    """``--data`` and ``--index``, shared by the commands that measure on the public sets."""
    command = click.option("--index", "index_db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                           help="Build the PolNeAR index here and reuse it next time "
                                "(default: a fresh temporary index).")(command)
    return click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Folder holding the data sets (default: shared/eval beside the repository).")(command)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """newsbot: answers questions about the news with the exact sentence and its source."""
    load_dotenv(Path.cwd() / ".env")
    with friendly_errors():
        ctx.obj = load_settings()
    configure_logging(ctx.obj.log_level, (ctx.obj.telegram_bot_token,))


def run_ingest(index, sources: tuple[str, ...], outlet: str | None = None) -> str:
    """Ingest with a progress bar; returns the summary line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("ingesting", total=None)

        def progress(location: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"ingesting {Path(location).name[:40]}")

        report = index.ingest(sources, outlet=outlet, progress=progress)
    for problem in report.errors:
        click.echo(f"warning: {problem}", err=True)
    return report.summary()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@main.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option("--outlet", default=None, help="Outlet name for sources that do not name one (e.g. LBC).")
@db_option
@click.pass_obj
def ingest_command(settings: Settings, sources: tuple[str, ...], outlet: str | None, db: Path | None) -> None:
    """Add files, folders, URLs or RSS/Atom feeds to the index."""
    with friendly_errors():
        index = open_index(settings, db)
        click.echo(run_ingest(index, sources, outlet))


@main.command("ask")
@click.argument("question")
@click.option("-k", "k", default=1, show_default=True, type=click.IntRange(1, 50), help="Number of answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@db_option
@click.pass_obj
def ask_command(settings: Settings, question: str, k: int, as_json: bool, db: Path | None) -> None:
    """Answer QUESTION with quotes from the news ('-' reads one question per line from stdin)."""
    from index.engine import clean_question

    if question != "-":
        try:
            clean_question(question)  # refuse at once, before the slow model load
        except QuestionError as exc:
            click.echo(_refusal(question, exc, as_json))
            return
    with friendly_errors():
        index = open_index(settings, db)
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else iter([question])
    for q in questions:
        if question == "-" and not q.strip():
            continue
        click.echo(_answer(index, q, k, as_json))


def _answer(index, question: str, k: int, as_json: bool) -> str:
    try:
        result = index.ask(question, k)
    except QuestionError as exc:
        return _refusal(question, exc, as_json)
    return json.dumps(result.to_dict(), ensure_ascii=False) if as_json else answers_text(result)


def _refusal(question: str, exc: QuestionError, as_json: bool) -> str:
    if as_json:
        return json.dumps({"question": question, "abstained": True, "answers": [], "error": str(exc)})
    return str(exc)


@main.command("sources")
@click.option("--limit", default=50, show_default=True, type=int)
@db_option
@click.pass_obj
def sources_command(settings: Settings, limit: int, db: Path | None) -> None:
    """List indexed articles, newest first."""
    with friendly_errors():
        index = open_index(settings, db)
    for row in index.articles(limit):
        click.echo(article_line(row))


def article_line(row: dict) -> str:
    """One indexed article as ``newsbot sources`` and the terminal chat's /sources list it."""
    return " · ".join(str(x) for x in (row["id"], row["outlet"] or "-", row["title"] or "-",
                                       display_date(row["published"]) or "-", f"{row['sentences']} sentences"))


@main.command("stats")
@db_option
@click.pass_obj
def stats_command(settings: Settings, db: Path | None) -> None:
    """Counts, size on disk and model of the index."""
    with friendly_errors():
        stats = open_index(settings, db).stats()
    for key, value in stats.items():
        click.echo(f"{key}: {value:,}" if isinstance(value, int) else f"{key}: {value}")


CHAT_HELP = ("Ask about the news: type a question and press Enter. /add SOURCE reads news from a file, folder, "
             "web page or RSS/Atom feed; /sources lists the latest articles I have read; an empty line or Ctrl-D "
             "quits.")
EMPTY_INDEX_HELP = ("I have not read any news yet. Add some with /add SOURCE (a file, folder, web page or RSS/Atom "
                    "feed), `newsbot ingest SOURCE`, or NEWSBOT_SOURCES set before `make run`.")
ADD_HELP = "Say what to read: /add SOURCE, a file, folder, web page or RSS/Atom feed (several: separated by spaces)."
NO_TOKEN_HELP = """TELEGRAM_BOT_TOKEN is not set, so the bot is not on Telegram; answering here instead.
To put it on Telegram: open a chat with @BotFather, send /newbot, follow the steps, then put the
token it gives you in .env as TELEGRAM_BOT_TOKEN=... (or export it) and run `newsbot run` again."""


@main.command("check")
@db_option
@click.pass_obj
def check_command(settings: Settings, db: Path | None) -> None:
    """Verify the index is whole: vectors, keyword index, no orphan rows (exit 1 if not)."""
    from index.check import check_index

    with friendly_errors():
        report = check_index(db or settings.db)
    click.echo(", ".join(f"{n:,} {name}" for name, n in report.counts.items()) or str(report.db_path))
    for note in report.notes:
        click.echo(f"note: {note}")
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if not report.ok:
        raise click.ClickException(f"{len(report.problems)} problems in {report.db_path}")
    click.echo("index ok")


@main.command("eval")
@click.argument("dataset")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True,
              help="Tune on dev; test gives the final numbers.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@data_options
@click.pass_obj
def eval_command(settings: Settings, dataset: str, split: str, as_json: bool, data: Path | None,
                 index_db: Path | None) -> None:
    """Measure answers on DATASET: trecqa, wikiqa, polnear, polnear-broad, polnear-pronoun, abstention
    (or a folder of the same layout); the bot's method next to dense-only and keyword-only."""
    from index.evaluation import evaluate, locate

    with friendly_errors():
        locate(dataset, data or DEFAULT_EVAL_DATA)  # a wrong name fails now, not after loading the model
        result = evaluate(dataset, split, data or DEFAULT_EVAL_DATA, embedder_for(settings), index_db)
    click.echo(json.dumps(result) if as_json else eval_table(result))


@main.command("calibrate")
@click.option("--split", type=click.Choice(["dev", "test"]), default="dev", show_default=True,
              help="Calibrate on dev (with TrecQA's train questions); the test split only reports.")
@click.option("--json", "as_json", is_flag=True, help="Print every pair of the grid as JSON, best first.")
@data_options
@click.pass_obj
def calibrate_command(settings: Settings, split: str, as_json: bool, data: Path | None,
                      index_db: Path | None) -> None:
    """Sweep the "not found" coverage weight and threshold on the abstention set; the pair with the
    fewest errors is the one to use (the defaults came from this sweep on dev)."""
    from index.confidence import COVERAGE_WEIGHT
    from index.engine import DEFAULT_MIN_SCORE
    from index.evaluation import calibration, locate

    with friendly_errors():
        locate("abstention", data or DEFAULT_EVAL_DATA)
        result = calibration(split, data or DEFAULT_EVAL_DATA, embedder_for(settings), index_db)
    if as_json:
        click.echo(json.dumps(result))
        return
    current = next(p for p in result["pairs"]
                   if (p["weight"], p["threshold"]) == (COVERAGE_WEIGHT, round(DEFAULT_MIN_SCORE, 2)))
    click.echo(f"abstention ({split}: {result['unanswerable']} unanswerable, {result['answerable']} answerable, "
               f"{result['paraphrases']} paraphrases)")
    click.echo(f"{'weight':>8}{'threshold':>11}{'answered unanswerable':>24}{'refused answerable':>21}"
               f"{'refused paraphrases':>22}")
    for label, pair in [*(("", p) for p in result["pairs"][:5]), ("  (now)", current)]:
        click.echo(f"{pair['weight']:>8.2f}{pair['threshold']:>11.2f}{pair['answered_unanswerable']:>24.3f}"
                   f"{pair['refused_answerable']:>21.3f}{pair['refused_paraphrases']:>22.3f}{label}")


def eval_table(result: dict) -> str:
    """Metrics as rows, methods as columns."""
    methods = list(result["methods"])
    metrics = list(dict.fromkeys(k for m in methods for k in result["methods"][m]))
    lines = [f"{result['dataset']} ({result['split']}, {result['questions']} questions)",
             f"{'':24}" + "".join(f"{m:>10}" for m in methods)]
    for metric in metrics:
        lines.append(f"{metric:24}" + "".join(f"{result['methods'][m].get(metric, float('nan')):>10.3f}"
                                             for m in methods))
    return "\n".join(lines)


@main.command("run")
@db_option
@click.pass_obj
def run_command(settings: Settings, db: Path | None) -> None:
    """Ingest $NEWSBOT_SOURCES, then serve: on Telegram with a token, else a terminal chat."""
    with friendly_errors():
        index = open_index(settings, db)
        if settings.sources:
            click.echo(run_ingest(index, settings.sources))
    try:
        if settings.telegram_bot_token:
            run_telegram(settings, index)
        else:
            click.echo(NO_TOKEN_HELP, err=True)
            terminal_chat(index, input_fn=input, output_fn=click.echo)
    finally:
        index.close()


def run_telegram(settings: Settings, index) -> None:
    """Serve on Telegram until SIGTERM or Ctrl-C; a rejected token or unreachable API is one clear line."""
    from telegram.error import InvalidToken, NetworkError

    from .telegram_app import build_application, run_application

    try:
        run_application(build_application(settings, index), settings)
    except InvalidToken as exc:
        raise click.ClickException("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather.") from exc
    except NetworkError as exc:
        raise click.ClickException(f"cannot reach the Bot API at {settings.telegram_api_base_url}: {exc}") from exc


def terminal_chat(index, *, input_fn: Callable[[str], str], output_fn: Callable[[str], None]) -> None:
    """Answer questions typed at a prompt with the same code and text as the bot.

    It understands /sources and /help as the bot does, because its "not found" reply, the bot's own
    words, points to /sources; and it says up front when there is no news to answer from, which is
    where a first ``make run`` without NEWSBOT_SOURCES lands.  /add reads sources there and then: at
    the terminal the user is the operator, who could run ``newsbot ingest`` anyway (on Telegram /add
    is for admins).  Any other /word is a command it does not know, not a question.
    """
    output_fn(CHAT_HELP)
    if not index.articles(1):
        output_fn(EMPTY_INDEX_HELP)
    while True:
        try:
            question = input_fn("> ")
        except (EOFError, KeyboardInterrupt):
            break
        command = question.strip().lower()
        if not command:
            break
        if command == "/sources":
            output_fn("\n".join(map(article_line, index.articles(SOURCES_SHOWN))) or EMPTY_INDEX_HELP)
        elif command in ("/help", "/start"):
            output_fn(CHAT_HELP)
        elif command.split()[0] == "/add":
            output_fn(_add(index, tuple(question.split()[1:])))
        elif command.startswith("/"):
            output_fn(f"I don't know {command.split()[0]} here. {CHAT_HELP}")
        else:
            started = time.perf_counter()
            output_fn(_answer(index, question, 1, False))
            logger.debug("answered in %.0f ms", (time.perf_counter() - started) * 1000)


def _add(index, sources: tuple[str, ...]) -> str:
    """The terminal chat's /add: the ingest summary, or why nothing was read."""
    if not sources:
        return ADD_HELP
    try:
        with friendly_errors():  # the failures `newsbot ingest` explains, explained here without exiting
            return run_ingest(index, sources)
    except click.ClickException as exc:
        return exc.message


if __name__ == "__main__":
    main()
