"""All dialog states in one place: dialogs start each other, so no import cycles."""

from aiogram.fsm.state import State, StatesGroup


class Menu(StatesGroup):
    main = State()


class Help(StatesGroup):
    main = State()


class Preferences(StatesGroup):
    main = State()
    language = State()
    timezone = State()


class Library(StatesGroup):
    home = State()
    section = State()
    article = State()
    clause = State()
    search = State()
    results = State()


class Onboarding(StatesGroup):
    language = State()
    choice = State()
    code = State()
    name = State()
    switch = State()
    welcome = State()


class Organization(StatesGroup):
    overview = State()
    leave = State()
    settings = State()
    rename = State()
    timezone = State()


class Members(StatesGroup):
    list = State()
    member = State()
    team = State()
    remove = State()


class Invites(StatesGroup):
    list = State()
    role = State()
    team = State()
    invite = State()


class Places(StatesGroup):
    overview = State()
    add = State()
    remove = State()


class Privacy(StatesGroup):
    erase = State()


class Readiness(StatesGroup):
    home = State()
    scope = State()
    question = State()
    why = State()
    note = State()
    result = State()


class ReadinessTeam(StatesGroup):
    overview = State()
    person = State()


class Roadmap(StatesGroup):
    steps = State()
    step = State()
    date = State()


class Report(StatesGroup):
    photos = State()
    text = State()
    area = State()
    category = State()
    severity = State()
    confirm = State()
    done = State()  # submitted: "Saved as NC-…"


class Reports(StatesGroup):
    mine = State()
    done = State()


class Cases(StatesGroup):
    list = State()
    case = State()
    note = State()
    history = State()


class CasePlan(StatesGroup):
    whys = State()
    action = State()
    owner = State()
    due = State()


class ReportOffer(StatesGroup):
    ask = State()


class Announcements(StatesGroup):
    list = State()
    announcement = State()
    people = State()


class AnnouncementDraft(StatesGroup):
    draft = State()
    audience = State()
    text = State()
    preview = State()
    sent = State()


class TipSettings(StatesGroup):
    main = State()
    time = State()


class QmsCalendar(StatesGroup):
    list = State()
    event = State()
    kind = State()
    day = State()
    title = State()


class Practice(StatesGroup):
    home = State()
    question = State()
    feedback = State()
    summary = State()


class Training(StatesGroup):
    overview = State()
    people = State()


class Audits(StatesGroup):
    list = State()
    audit = State()
    subject = State()
    team = State()
    clauses = State()
    day = State()
    auditor = State()
    suggest = State()


class AuditRun(StatesGroup):
    item = State()
    note = State()
    summary = State()
    done = State()


class Objectives(StatesGroup):
    list = State()
    objective = State()
    title = State()
    target = State()
    unit = State()
    better = State()
    owner = State()
    every = State()
    due = State()
    value = State()


class Reviews(StatesGroup):
    list = State()
    day = State()
    review = State()
    ask = State()
    kind = State()
    decision = State()
    owner = State()
    due = State()
