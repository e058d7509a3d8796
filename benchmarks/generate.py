"""Seeded, deterministic generator of synthetic mdnet vaults for benchmarks.

The benchmarks need vaults of 1k to 50k contacts that look like what real users
keep (SPEC.md section 2): most notes are plain, tidy front matter, but a few use
the YAML that hand-edited notes collect over the years (comments, block
scalars, escaped quotes, nested mappings), a few were saved on Windows (CRLF)
and a few carry a byte-order mark.  A parser that is only fast on the easy case
would look better than it is, so the awkward notes are always present, in fixed
proportions.

Everything random comes from one ``random.Random(seed)``: the same seed and
count give the same bytes on every machine and Python version that keeps
``random``'s documented reproducibility, so figures from different runs compare
like with like.  Only the standard library is used, so the generator runs
before anything is installed.

Usage::

    python benchmarks/generate.py OUT_DIR --contacts N [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

__all__ = ["GENERATOR_VERSION", "TODAY", "generate_vault", "main"]

#: Bumped whenever a change to this file changes the bytes it writes, so that
#: vaults kept by ``bench.py --workdir`` are regenerated rather than reused.
GENERATOR_VERSION = 3

#: The day the generated data is anchored to: the benchmarks run ``due`` with
#: ``--today`` set to this, so the mix of overdue/today/upcoming is the same
#: whenever they run.
TODAY = dt.date(2026, 11, 25)

_TODAY_ORD = TODAY.toordinal()
_FIRST_CONTACT_ORD = dt.date(2022, 1, 1).toordinal()

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Albert",
    "Alejandro", "Alex", "Alexandra", "Alice", "Alicia", "Amanda", "Amelia",
    "Amir", "Amy", "Ana", "Andrea", "Andrew", "Angela", "Anna", "Anthony",
    "Antoine", "Arjun", "Ashley", "Astrid", "Audrey", "Ava", "Barbara",
    "Beatriz", "Ben", "Benjamin", "Beth", "Bianca", "Björn", "Bob", "Brandon",
    "Brian", "Bruno", "Caleb", "Camila", "Carl", "Carlos", "Carmen",
    "Caroline", "Catherine", "Chen", "Chloé", "Chris", "Christina", "Claire",
    "Colin", "Connor", "Craig", "Dana", "Daniel", "Daniela", "David",
    "Deborah", "Deepak", "Diana", "Diego", "Dmitri", "Dominic", "Donna",
    "Dylan", "Edward", "Elena", "Eli", "Elif", "Elizabeth", "Ella", "Emily",
    "Emma", "Eric", "Erin", "Ethan", "Eva", "Evan", "Fatima", "Felix",
    "Fernando", "Fiona", "François", "Gabriel", "Gabriela", "Gary", "George",
    "Grace", "Greg", "Hana", "Hannah", "Harold", "Hassan", "Heather", "Helen",
    "Henry", "Hiroshi", "Hugo", "Ian", "Ingrid", "Isaac", "Isabel", "Ivan",
    "Jack", "Jacob", "James", "Jamie", "Jane", "Janet", "Jason", "Javier",
    "Jennifer", "Jeremy", "Jessica", "Jin", "Joan", "Joe", "John", "Jonathan",
    "Jordan", "José", "Joseph", "Joshua", "Julia", "Julian", "Justin", "Karen",
    "Karim", "Kate", "Kevin", "Kim", "Kyle", "Lars", "Laura", "Lauren", "Leah",
    "Leo", "Liam", "Lily", "Linda", "Lisa", "Lucas", "Lucía", "Luis", "Maya",
    "Malik", "Marco", "Margaret", "Maria", "Mark", "Martin", "Mary", "Mateo",
    "Matthew", "Mei", "Megan", "Mehmet", "Michael", "Michelle", "Miguel",
    "Mike", "Mohammed", "Monica", "Nadia", "Nathan", "Nicole", "Nikhil",
    "Nina", "Noah", "Olga", "Oliver", "Olivia", "Omar", "Oscar", "Pablo",
    "Patricia", "Patrick", "Paul", "Pedro", "Peter", "Philip", "Priya",
    "Rachel", "Rafael", "Rahul", "Raj", "Rebecca", "Ricardo", "Richard",
    "Rita", "Robert", "Rosa", "Ryan", "Sakura", "Samantha", "Samuel", "Sandra",
    "Sara", "Sarah", "Scott", "Sean", "Sergio", "Siobhán", "Sofia", "Sophie",
    "Stephen", "Steven", "Susan", "Tanya", "Thomas", "Tiffany", "Tim", "Tom",
    "Tyler", "Valentina", "Vanessa", "Victor", "Victoria", "Vikram", "Vincent",
    "Wei", "William", "Xavier", "Yara", "Yusuf", "Zach", "Zoë", "Abdul",
    "Agnes", "Aidan", "Akira", "Ali", "Amara", "Anders", "Andrés", "Anja",
    "Arthur", "Ayesha", "Beatrice", "Bernard", "Carla", "Cecilia", "Charlotte",
    "Clara", "Cristina", "Damien", "Dario", "Eduardo", "Emeka", "Emil",
    "Enrique", "Esther", "Farah", "Frank", "Freya", "Giulia", "Gustav",
    "Hector", "Ilse", "Imani", "Irene", "Jakub", "Jasmine", "Joanna", "Jonas",
    "Jorge", "Kenji", "Kofi", "Lena", "Leila", "Lorenzo", "Louise", "Magnus",
    "Manuel", "Marta", "Matteo", "Miriam", "Nils", "Noor", "Paolo", "Quentin",
    "Ravi", "Renée", "Ruth", "Santiago", "Simone", "Sven", "Tariq", "Teresa",
    "Ulrich", "Vera", "Wojciech", "Yuki", "Zainab", "Zoltan",
)

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Adams", "Ahmed", "Alvarez", "Andersen", "Anderson", "Bailey",
    "Baker", "Banerjee", "Barnes", "Becker", "Bell", "Bennett", "Berg",
    "Bianchi", "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter",
    "Castillo", "Chan", "Chang", "Chen", "Choi", "Clark", "Cohen", "Collins",
    "Cook", "Cooper", "Costa", "Cox", "Cruz", "Das", "Davies", "Davis", "Díaz",
    "Dubois", "Duong", "Edwards", "Evans", "Fernández", "Fischer", "Fisher",
    "Flores", "Foster", "Garcia", "García", "Gomez", "González", "Gray",
    "Green", "Gupta", "Hall", "Hansen", "Harris", "Hayes", "Henderson",
    "Hernández", "Hill", "Hoffmann", "Howard", "Hughes", "Ibrahim", "Ito",
    "Jackson", "James", "Jensen", "Johansson", "Johnson", "Jones", "Jung",
    "Kaur", "Kelly", "Khan", "Kim", "King", "Klein", "Kowalski", "Kumar",
    "Larsen", "Lee", "Lewis", "Li", "Lim", "Lindqvist", "Liu", "Lopez",
    "Martin", "Martínez", "Meyer", "Miller", "Mitchell", "Moore", "Morales",
    "Morgan", "Morris", "Müller", "Murphy", "Murray", "Nakamura", "Nelson",
    "Nguyen", "Nielsen", "Novak", "O'Brien", "O'Connor", "Okafor", "Olsen",
    "Ortiz", "Park", "Parker", "Patel", "Perez", "Perry", "Peters", "Petrov",
    "Phillips", "Powell", "Price", "Ramirez", "Reed", "Reyes", "Richardson",
    "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Romano", "Ross",
    "Rossi", "Russell", "Sanchez", "Sanders", "Santos", "Sato", "Schmidt",
    "Schneider", "Scott", "Shah", "Silva", "Singh", "Smith", "Smith-Jones",
    "Sørensen", "Stewart", "Suzuki", "Tanaka", "Taylor", "Thomas", "Thompson",
    "Torres", "Tran", "Turner", "van der Berg", "Varga", "Walker", "Wang",
    "Ward", "Watson", "Weber", "White", "Williams", "Wilson", "Wong", "Wood",
    "Wright", "Wu", "Yamamoto", "Yang", "Young", "Zhang", "Zhao", "Zimmermann",
    "Achterberg", "Adeyemi", "Almeida", "Amato", "Aoki", "Barbieri", "Bauer",
    "Blanc", "Bondarenko", "Boateng", "Carvalho", "Castro", "Chaudhry",
    "Coleman", "Conti", "Dahl", "De Luca", "Delgado", "Dimitrov", "Eriksson",
    "Esposito", "Farouk", "Ferrari", "Fontaine", "Fraser", "Fuchs",
    "Gallagher", "Girard", "Gonçalves", "Graham", "Haddad", "Hamid",
    "Hartmann", "Horvat", "Hoang", "Iyer", "Jovanović", "Kamara", "Kapoor",
    "Keller", "Kennedy", "Kovács", "Krause", "Kruger", "Lambert", "Laurent",
    "Lehmann", "Lindgren", "MacDonald", "Mahmoud", "Marino", "Mendes",
    "Mensah", "Moreau", "Nair", "Nowak", "Ogunleye", "Olsson", "Osei",
    "Pereira", "Quinn", "Rahman", "Reddy", "Ribeiro", "Richter", "Sandoval",
    "Schulz", "Sharma", "Sullivan", "Svensson", "Takahashi", "Tanaka-Reyes",
    "Vasquez", "Vogel", "Wagner", "Watanabe", "Yilmaz", "Zielinski",
)

_COMPANY_HEADS: tuple[str, ...] = (
    "Acme", "Apex", "Atlas", "Beacon", "Blue Harbor", "Brightline", "Cedar",
    "Cobalt", "Copper Ridge", "Crescent", "Delta", "Evergreen", "Falcon",
    "Globex", "Granite", "Harbor", "Helix", "Horizon", "Initech", "Ironwood",
    "Juniper", "Keystone", "Lighthouse", "Maple", "Meridian", "Nimbus",
    "North Star", "Oakridge", "Orbit", "Pinnacle", "Quantum", "Redwood",
    "Riverside", "Sagebrush", "Silverline", "Summit", "Sunrise", "Tidewater",
    "Umbrella", "Vertex", "Willow", "Zenith",
)
_COMPANY_TAILS: tuple[str, ...] = (
    "Corp", "Inc", "Labs", "Systems", "Health", "Capital", "Partners",
    "Analytics", "Logistics", "Consulting", "Software", "Bank", "Energy",
    "Foods", "Media", "Robotics", "Group", "Ventures", "Networks", "Cloud",
)

CATEGORIES: tuple[str, ...] = (
    "client", "client", "client", "vendor", "friend", "friend", "colleague",
    "colleague", "colleague", "former-colleague", "former-colleague",
    "employer", "recruiter", "recruiter", "investor", "family", "mentor",
    "community", "press", "prospect",
)

ROLES: tuple[str, ...] = (
    "IT Manager", "CTO", "CEO", "COO", "VP Engineering", "Engineering Manager",
    "Software Engineer", "Senior Software Engineer", "Staff Engineer",
    "Data Scientist", "Product Manager", "Designer", "UX Researcher",
    "Account Executive", "Sales Director", "Technical Recruiter",
    "Talent Partner", "Founder", "Co-founder", "Partner", "Principal",
    "Director of Operations", "Head of Marketing", "Marketing Manager",
    "Consultant", "Solutions Architect", "DevOps Engineer", "Security Lead",
    "Controller", "CFO", "Professor", "Journalist", "Analyst", "Board Member",
)

LOCATIONS: tuple[str, ...] = (
    "Scottsdale, AZ", "Phoenix, AZ", "Tempe, AZ", "Austin, TX", "Dallas, TX",
    "Denver, CO", "Seattle, WA", "Portland, OR", "San Francisco, CA",
    "Oakland, CA", "Los Angeles, CA", "San Diego, CA", "Chicago, IL",
    "Boston, MA", "New York, NY", "Brooklyn, NY", "Atlanta, GA", "Miami, FL",
    "Toronto", "Vancouver", "London", "Manchester", "Dublin", "Berlin",
    "Munich", "Amsterdam", "Paris", "Lyon", "Madrid", "Barcelona", "Lisbon",
    "Stockholm", "Oslo", "Copenhagen", "Zürich", "Vienna", "Warsaw", "Prague",
    "Tel Aviv", "Dubai", "Bangalore", "Singapore", "Tokyo", "Seoul", "Sydney",
    "Melbourne", "São Paulo", "Mexico City", "Remote",
)

TAGS: tuple[str, ...] = (
    "cloud", "phoenix", "ai", "ml", "security", "fintech", "healthtech",
    "saas", "devops", "data", "hiring", "open-source", "python", "rust",
    "golang", "kubernetes", "startup", "enterprise", "conference", "meetup",
    "alumni", "board", "speaker", "mentor", "podcast", "consulting", "sales",
    "design", "product", "remote", "climate", "edtech", "biotech", "angel",
    "networking/2025", "networking/2026", "warm-intro", "vip",
)

INTERESTS: tuple[str, ...] = (
    "sailing", "jazz", "running", "cycling", "hiking", "climbing", "chess",
    "photography", "cooking", "wine", "coffee", "golf", "tennis", "skiing",
    "board games", "science fiction", "history", "gardening", "woodworking",
    "podcasts", "travel", "yoga", "painting", "piano", "guitar", "football",
    "baseball", "basketball", "surfing", "birdwatching", "astronomy",
    "volunteering", "marathons", "kayaking", "fly fishing", "poetry",
)

CADENCES: tuple[str, ...] = (
    "30d", "30d", "30d", "60d", "90d", "90d", "90d", "180d", "14d", "2w", "3w",
    "6w", "1m", "2m", "3m", "3m", "6m", "1y", "30 days", "90 days", "weekly",
    "biweekly", "monthly", "monthly", "quarterly", "quarterly", "yearly",
    "never", "never",
)
#: Days in each cadence above, for "kept up" contact dates (stdlib only, so no mdnet import).
_CADENCE_DAYS: dict[str, int] = {
    "30d": 30, "60d": 60, "90d": 90, "180d": 180, "14d": 14, "2w": 14, "3w": 21, "6w": 42, "1m": 30, "2m": 61,
    "3m": 91, "6m": 182, "1y": 365, "30 days": 30, "90 days": 90, "weekly": 7, "biweekly": 14, "monthly": 30,
    "quarterly": 91, "yearly": 365,
}  # fmt: skip

LOG_KINDS: tuple[str, ...] = (
    "coffee", "email", "email", "email", "call", "call", "meeting", "lunch",
    "linkedin", "text", "intro", "conference", "dinner", "video",
)

_LOG_TEXTS: tuple[str, ...] = (
    "discussed their cloud migration", "sent quarterly update",
    "caught up on the new role", "talked about hiring plans for next year",
    "shared the article on observability", "asked for an intro to their CTO",
    "congratulated on the promotion", "followed up on the proposal",
    "they are moving to a new team", "quick check-in, all good",
    "reviewed the contract renewal", "swapped notes on the conference",
    "recommended a book on negotiation",
    "they mentioned budget freezes until Q2",
    "introduced them to a former colleague", "birthday wishes",
    "talked about the kids and summer plans",
    "they asked for feedback on a pitch deck",
    "sent thank-you note after the meeting", "planned a workshop for March",
    "discussed a possible partnership",
    "they are looking for a senior engineer",
    "met at the chamber of commerce breakfast", "long chat about career moves",
)

_LOG_TAILS: tuple[str, ...] = (
    "", "", "", "", "; ask about the sailing trip", "; send the slides",
    "; follow up in two weeks", "; they owe me a reply",
    "; remember the deadline", " (very friendly)",
    "; ping again after the holidays",
)
# fmt: on

#: Every "[kind:] text" a log entry can hold, built once: one random draw per
#: entry instead of three keeps 50k contacts (about 375k entries) fast.  About
#: a fifth of the entries have no kind, as in hand-written logs.
_LOG_ENTRY_TEXTS: tuple[str, ...] = tuple(
    f"{kind} {text}{tail}"
    for kind in (*(f" {k}:" for k in LOG_KINDS), "", "", "")
    for text in _LOG_TEXTS
    for tail in _LOG_TAILS
)

_LOG_TIMES: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(7, 20) for m in (0, 15, 30, 45))

_EVENTS: tuple[str, ...] = (
    "the chamber of commerce breakfast",
    "a cloud meetup",
    "PyCon",
    "a friend's wedding",
    "the alumni dinner",
    "a hackathon",
    "the product conference",
    "a startup pitch night",
    "a LinkedIn post",
    "a customer workshop",
    "a board meeting",
    "the university career fair",
    "a charity run",
    "a podcast recording",
    "the industry summit",
)

_FACTS: tuple[str, ...] = (
    "Quoted in CIO Weekly on cloud migrations.",
    "Runs a small newsletter about engineering leadership.",
    "Has two kids and a very loud dog.",
    "Prefers phone calls to email.",
    "Always up for a coffee near the office.",
    "Mentors junior engineers on weekends.",
    "Knows everyone in the local startup scene.",
    "Was my manager for three years.",
    "Very direct; appreciates short messages.",
    "Speaks at conferences a few times a year.",
    "Looking to move into a leadership role.",
    "Invested in two of my former clients.",
    "Interested in open-source sponsorship.",
    "Moved here from abroad a few years ago.",
)

_FOLLOW_UP_NOTES: tuple[str, ...] = (
    "Not hiring until Q2; ask again",
    "Ask about the budget for next year",
    "Check whether the reorg is done",
    "Send the case study when it is published",
    "Ask how the new job is going",
    "Renewal comes up in the spring",
)

_STATUSES: tuple[str, ...] = (
    "active",
    "active",
    "active",
    "active",
    "active",
    "active",
    "active",
    "dormant",
    "dormant",
    "archived",
)

_SUMMITS: tuple[str, ...] = ("the summit", "the offsite", "our first call")

_MIDDLE_INITIALS = "ABCDEFGHJKLMNOPRSTW"

#: Characters that no file name may hold on Windows, macOS or Linux.
_BAD_FILENAME_CHARS = str.maketrans(dict.fromkeys('/\\:*?"<>|', "-"))


def _pick(rng: random.Random, seq: Sequence[str]) -> str:
    """Cheap ``rng.choice``: one ``random()`` call keeps 50k contacts fast."""
    return seq[int(rng.random() * len(seq))]


def _sample(rng: random.Random, seq: Sequence[str], k: int) -> list[str]:
    """Up to ``k`` distinct items of ``seq`` in a deterministic order."""
    return rng.sample(seq, k) if k else []


@functools.lru_cache(maxsize=4096)
def _fold_word(text: str) -> str:
    """Case- and accent-insensitive key, as mdnet looks names up (SPEC 2).

    Names must be unique under this key, or lookups by name in the benchmarks
    would hit "ambiguous name" errors that no real vault would have on purpose.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold(name: str) -> str:
    """Fold a whole name word by word, so the per-word cache does the work."""
    return " ".join(map(_fold_word, name.split()))


@functools.lru_cache(maxsize=4096)
def _slug_word(word: str) -> str:
    """ASCII, lower-case form of one word; cached, as words repeat a lot."""
    return "".join(c for c in _fold_word(word) if c.isascii() and c.isalnum())


def _ascii_slug(text: str, sep: str) -> str:
    """ASCII, lower-case form of a name for e-mail addresses and URLs."""
    return sep.join(w for w in map(_slug_word, text.split()) if w)


def _safe_filename(name: str) -> str:
    """A file stem that every OS accepts; generated names are already safe."""
    stem = name.translate(_BAD_FILENAME_CHARS).strip(" .")
    return stem or "contact"


def _make_names(rng: random.Random, count: int) -> list[str]:
    """``count`` display names, unique case- and accent-insensitively.

    First/last pairs are drawn without replacement, so even 50k contacts are
    mostly distinct people, as in a real network; when the plain pairs run
    thin, more people get a middle initial, as address books do.  About 0.3%
    deliberately repeat an earlier name, and a few pairs differ only by an
    accent ("Garcia"/"García"); those get a numeric suffix ("John Smith 2"),
    which is how a careful user keeps two people with one name apart.
    """
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    pairs = n_first * n_last
    n_initials = len(_MIDDLE_INITIALS)
    plain = min(round(count * 0.85), pairs // 2)
    with_initial = count - plain
    plain_picks = rng.sample(range(pairs), plain)
    initial_picks = rng.sample(range(pairs * n_initials), with_initial)

    drawn: list[str] = []
    for index in plain_picks:
        first, last = divmod(index, n_last)
        drawn.append(f"{FIRST_NAMES[first]} {LAST_NAMES[last]}")
    for index in initial_picks:
        pair, initial = divmod(index, n_initials)
        first, last = divmod(pair, n_last)
        drawn.append(f"{FIRST_NAMES[first]} {_MIDDLE_INITIALS[initial]}. {LAST_NAMES[last]}")
    rng.shuffle(drawn)
    if count > 1:
        for i in sorted(rng.sample(range(1, count), max(1, round(count * 0.003)))):
            drawn[i] = drawn[int(rng.random() * i)]

    names: list[str] = []
    seen: set[str] = set()
    for drawn_name in drawn:
        name = drawn_name
        key = _fold(name)
        if key in seen:
            n = 2
            while _fold(f"{drawn_name} {n}") in seen:
                n += 1
            name = f"{drawn_name} {n}"
            key = _fold(name)
        seen.add(key)
        names.append(name)
    return names


@functools.lru_cache(maxsize=8192)
def _date(ordinal: int) -> str:
    """ISO date of a proleptic ordinal; cached, as a few thousand days recur."""
    return dt.date.fromordinal(ordinal).isoformat()


def _yaml_list(key: str, items: list[str], block: bool) -> list[str]:
    """A YAML list in flow (``[a, b]``) or block (``- a``) style."""
    if block:
        return [f"{key}:"] + [f"  - {item}" for item in items]
    return [f"{key}: [{', '.join(items)}]"]


def _hard_yaml(rng: random.Random, name: str, lines: list[str]) -> None:
    """Add one to three of the YAML constructs that hand-edited notes collect.

    These are the cases that break naive line-based parsers and that mdnet
    must keep byte for byte when it rewrites a note (SPEC 10).
    """
    first = name.split(maxsplit=1)[0]
    handle = _ascii_slug(name, "")
    features = rng.sample(range(5), 1 + int(rng.random() * 3))
    for feature in sorted(features):
        if feature == 0:
            lines.insert(0, "# imported from the old CRM; check the fields below")
            lines.append(f"source: crm-export  # {rng.randint(2015, 2024)}")
        elif feature == 1:
            lines.append("notes: |")
            lines.append(f"  {first} prefers mornings: before 10 works best.")
            lines.append("  Do not mention the merger # still confidential")
            lines.append("")
            lines.append("  Second paragraph after a blank line.")
        elif feature == 2:
            where = _pick(rng, _SUMMITS)
            lines.append(f'quote: "He said \\"hi\\" at {where}, then: \\"call me\\""')
        elif feature == 3:
            if rng.random() < 0.5:
                lines.append(f"social: {{linkedin: {handle}, github: {handle}}}")
            else:
                lines.append("social:")
                lines.append(f"  linkedin: {handle}")
                lines.append(f'  mastodon: "@{handle}@example.social"')
                lines.append("  old:")
                lines.append(f"    twitter: {handle}_")
        else:
            lines.append("country: NO")
            lines.append("active: yes")
            lines.append(f"met_at: 20{rng.randint(18, 25)}-05-01T09:30")


def _contact(
    rng: random.Random,
    name: str,
    names: list[str],
    *,
    hard: bool,
) -> str:
    """The text of one contact note (LF line endings, no BOM)."""
    r = rng.random
    fm: list[str] = [f"name: {name}"]
    first = name.split(maxsplit=1)[0]

    if r() < 0.15:
        initials = "".join(p[0] for p in name.split() if p[0].isalpha())
        aliases = [first, initials] if r() < 0.5 else [first]
        fm.append(f"aliases: [{', '.join(aliases)}]")
    if r() < 0.03:
        fm.append("type: contact")
    if r() < 0.95:
        fm.append(f"category: {_pick(rng, CATEGORIES)}")

    tags = _sample(rng, TAGS, int(r() * 5))
    if tags:
        style = r()
        if style < 0.5:
            fm.extend(_yaml_list("tags", tags, block=False))
        elif style < 0.9:
            fm.extend(_yaml_list("tags", tags, block=True))
        else:
            fm.append(f"tags: {', '.join(tags)}")

    company = ""
    if r() < 0.78:
        company = f"{_pick(rng, _COMPANY_HEADS)} {_pick(rng, _COMPANY_TAILS)}"
        fm.append(f'company: "[[{company}]]"')
    if r() < 0.8:
        fm.append(f"role: {_pick(rng, ROLES)}")
    if r() < 0.7:
        domain = _ascii_slug(company, "") if company else "mail"
        user = _ascii_slug(name, ".")
        emails = [f"{user}@{domain}.example"]
        if r() < 0.2:
            emails.append(f"{_ascii_slug(first, '')}{rng.randint(1, 99)}@home.example")
        fm.extend(_yaml_list("email", emails, block=r() < 0.2))
    if r() < 0.5:
        fm.append(f'phone: "+1 {rng.randint(201, 989)} 555 {rng.randint(0, 9999):04d}"')
    if r() < 0.75:
        fm.append(f"location: {_pick(rng, LOCATIONS)}")
    if r() < 0.3:
        links = [f"https://www.linkedin.com/in/{_ascii_slug(name, '-')}"]
        if r() < 0.3:
            links.append(f"https://{_ascii_slug(name, '')}.example/blog")
        fm.extend(_yaml_list("links", links, block=r() < 0.3))
    interests = _sample(rng, INTERESTS, int(r() * 4))
    if interests:
        fm.extend(_yaml_list("interests", interests, block=r() < 0.3))
    if r() < 0.2:
        fm.append(f'introduced_by: "[[{_pick(rng, names)}]]"')
    if r() < 0.4:
        known = [f'"[[{_pick(rng, names)}]]"' for _ in range(1 + int(r() * 4))]
        fm.extend(_yaml_list("knows", known, block=r() < 0.3))
    if r() < 0.35:
        year = 1950 + int(r() * 55)
        month = 1 + int(r() * 12)
        day = 1 + int(r() * 28)
        if r() < 0.7:
            fm.append(f"birthday: {year:04d}-{month:02d}-{day:02d}")
        else:
            fm.append(f"birthday: --{month:02d}-{day:02d}")
    cadence_days = 0
    if r() < 0.8:
        cadence = _pick(rng, CADENCES)
        cadence_days = _CADENCE_DAYS.get(cadence, 0)
        fm.append(f"cadence: {cadence}")

    # A vault its owner keeps up with: nine in ten people with a cadence were last
    # contacted within about one cadence; the rest at any time in the past years; a
    # few never (a cadence with no contact yet is due at once, SPEC 3). About a
    # quarter of the contacts are then on the 7-day list (generator 1 had 62%).
    last_ord = 0
    if r() < 0.97:
        if cadence_days and r() < 0.9:
            last_ord = _TODAY_ORD - int(r() * cadence_days * 1.1)
        else:
            last_ord = _TODAY_ORD - int((r() ** 2) * (_TODAY_ORD - _FIRST_CONTACT_ORD))
        fm.append(f"last_contact: {_date(last_ord)}")
    if r() < 0.1:
        fm.append(f"next_contact: {_date(_TODAY_ORD + int(r() * 60) - 10)}")
    if r() < 0.08:
        fm.append(f"follow_up: {_date(_TODAY_ORD + int(r() * 240) - 30)}")
        if r() < 0.7:
            fm.append(f"follow_up_note: {_pick(rng, _FOLLOW_UP_NOTES)}")
    if r() < 0.05:
        if r() < 0.6:
            fm.append("needs_reply: true")
        else:
            fm.append(f"needs_reply: {_date(_TODAY_ORD + int(r() * 14) - 7)}")
    if r() < 0.03:
        fm.append(f"snooze_until: {_date(_TODAY_ORD + int(r() * 30) - 5)}")
    if r() < 0.3:
        fm.append(f"status: {_pick(rng, _STATUSES)}")
    if r() < 0.1:
        fm.append(f"created: {_date(_FIRST_CONTACT_ORD + int(r() * 1000))}")
    if hard:
        _hard_yaml(rng, name, fm)

    body: list[str] = [f"# {name}", ""]
    if r() < 0.85:
        body.append(f"Met at {_pick(rng, _EVENTS)} in {rng.randint(2012, 2026)}. {_pick(rng, _FACTS)}")
        if r() < 0.3:
            body.append("")
            body.append(_pick(rng, _FACTS))
        body.append("")

    # 0-15 entries, skewed low: most people have a handful, a few have many.
    entries = int((r() ** 1.5) * 16)
    if entries or r() < 0.5:
        body.append("## Log")
        # Newest first, as mdnet writes it; the newest entry is sometimes
        # later than last_contact, as when the user forgot to bump it.
        day = last_ord or (_TODAY_ORD - int(r() * 400))
        day = min(_TODAY_ORD, day + (int(r() * 20) if r() < 0.3 else 0))
        n_texts = len(_LOG_ENTRY_TEXTS)
        date_of = _date
        for _ in range(entries):
            text = _LOG_ENTRY_TEXTS[int(r() * n_texts)]
            if r() < 0.1:
                hhmm = _LOG_TIMES[int(r() * len(_LOG_TIMES))]
                body.append(f"- {date_of(day)} {hhmm}{text}")
            else:
                body.append(f"- {date_of(day)}{text}")
            day -= 1 + int((r() ** 2) * 120)
            if day < _FIRST_CONTACT_ORD - 2000:
                break
        body.append("")

    return "---\n" + "\n".join(fm) + "\n---\n" + "\n".join(body)


def generate_vault(root: Path, contacts: int, seed: int = 1) -> None:
    """Write a synthetic vault of ``contacts`` notes under ``root``.

    Writes ``root/mdnet.toml`` and ``root/people/<Name>.md``.  Refuses to
    write into a folder that already holds an ``mdnet.toml`` or a non-empty
    ``people/``, so a mistyped path can never mix fake contacts into a real
    vault or leave stale notes from a bigger run behind.

    About 3% of notes use harder YAML, 1% use CRLF line endings and 0.2%
    (at least one) start with a byte-order mark; the exact notes are drawn
    from the seed, so they are the same on every run.
    """
    if contacts < 0:
        raise ValueError("contacts must be >= 0")
    root = Path(root)
    people = root / "people"
    if (root / "mdnet.toml").exists() or (people.is_dir() and any(people.iterdir())):
        raise FileExistsError(f"{root} already holds a vault; use an empty folder")
    people.mkdir(parents=True, exist_ok=True)
    (root / "mdnet.toml").write_bytes(b'contact_dirs = ["people"]\n')

    rng = random.Random(seed)
    names = _make_names(rng, contacts)
    every = range(contacts)
    hard = set(rng.sample(every, round(contacts * 0.03)))
    crlf = set(rng.sample(every, round(contacts * 0.01)))
    bom = set(rng.sample(every, min(contacts, max(1, round(contacts * 0.002)))))

    for i, name in enumerate(names):
        text = _contact(rng, name, names, hard=i in hard)
        if i in crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if i in bom:
            data = b"\xef\xbb\xbf" + data
        (people / f"{_safe_filename(name)}.md").write_bytes(data)

    _dated_notes(root, names, random.Random(f"dated-{seed}"))


_DAILY_LINES = (
    "Lunch with {a}, talked about the move",
    "Call with {a} and {b} about the budget",
    "Coffee with {a}",
    "Ran into {a} at the station",
    "{a} sent the slides; reply tomorrow",
)
_TASKS = ("send {a} the deck", "ask {a} about the job", "book a table with {a}")


def _link(rng: random.Random, name: str) -> str:
    """A link to a contact as Obsidian users write them: by name, by path, or with a label."""
    draw = rng.random()
    if draw < 0.7:
        return f"[[{name}]]"
    if draw < 0.85:
        return f"[[people/{_safe_filename(name)}|{name.split()[0]}]]"
    return f"[{name}](people/{_safe_filename(name).replace(' ', '%20')}.md)"


def _dated_notes(root: Path, names: list[str], rng: random.Random) -> None:
    """Daily notes (one a day going back from TODAY, a few days ahead) and meeting notes that mention
    the contacts, about three mentions per contact, with open tasks, quotes and code that are not
    mentions (SPEC 11). Its own random stream, so the contact notes are the bytes of generator 2."""
    if not names:
        return
    daily, meetings = root / "daily", root / "meetings"
    daily.mkdir(exist_ok=True)
    meetings.mkdir(exist_ok=True)
    for n in range(len(names) // 2):
        day = _date(_TODAY_ORD + 5 - n)
        lines = ["---", "tags: [daily]", "---", f"# {day}", ""]
        for _ in range(1 + int(rng.random() * 5)):
            a, b = _link(rng, _pick(rng, names)), _link(rng, _pick(rng, names))
            lines.append("- " + _pick(rng, _DAILY_LINES).format(a=a, b=b))
        if rng.random() < 0.3:
            due = f" \N{CALENDAR} {_date(_TODAY_ORD + int(rng.random() * 30) - 10)}" if rng.random() < 0.5 else ""
            lines.append(f"- [ ] {_pick(rng, _TASKS).format(a=_link(rng, _pick(rng, names)))}{due}")
        if rng.random() < 0.1:
            lines.append(f"> {_link(rng, _pick(rng, names))} said this once (a quote: no mention)")
        if rng.random() < 0.05:
            lines += ["```", f"[[{_pick(rng, names)}]] in code is no mention", "```"]
        lines.append("")
        (daily / f"{day}.md").write_text("\n".join(lines), encoding="utf-8")
    for n in range(len(names) // 5):
        day = _date(_TODAY_ORD + 10 - int(rng.random() * 1500))
        people = [_pick(rng, names) for _ in range(1 + int(rng.random() * 3))]
        lines = ["---", f"date: {day}", "attendees:"]
        lines += [f'  - "[[{person}]]"' for person in people]
        lines += ["---", "## Notes", "", f"with:: [[{_pick(rng, names)}]]", "- agreed on the plan", ""]
        (meetings / f"{day} Meeting {n}.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic mdnet vault for benchmarks.")
    parser.add_argument("out_dir", type=Path, help="folder to create the vault in")
    parser.add_argument("--contacts", type=int, required=True, help="number of notes")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.contacts < 0:
        parser.error("--contacts must be >= 0")
    try:
        generate_vault(args.out_dir, args.contacts, args.seed)
    except (OSError, ValueError) as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
