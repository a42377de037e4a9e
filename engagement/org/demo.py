"""The demo organisation for ``manage.py seed_demo``: deterministic, and safe to run again.

Eight functions, a CEO and executives, heads and delegates, and a few dozen people. Everything
is written through the organisation's services, acting as the demo administrator, so the demo
has an audit trail like real data; a second run changes nothing and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from engagement.org import services
from engagement.org.models import Function, User

DEMO_PASSWORD = "engage-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    title: str
    function: str
    is_executive: bool = False


FUNCTIONS = (
    ("marketing", "Marketing", "Brand, campaigns, segments and the customer decision journey."),
    ("sales", "Sales", "Field, inside and partner sales; quotes, contracts and renewals."),
    ("customer-service", "Customer Service", "Call centre, chat, complaints and self-service."),
    ("operations", "Operations", "Fulfilment, billing, stores and the processes behind them."),
    ("product", "Product", "The offer: features, pricing and the product roadmap."),
    ("it", "IT", "Systems, data platforms, web and mobile delivery."),
    ("communications", "Communications", "Corporate and internal communications, press, social."),
    ("strategy", "Strategy", "Corporate strategy, the governance office and the PMO."),
)

# (function slug, head username, delegate usernames)
LEADERSHIP = {
    "marketing": ("dokafor", ("lnguyen", "hsato")),
    "sales": ("srossi", ("bmensah",)),
    "customer-service": ("jwhitaker", ("cfischer", "rdiaz")),
    "operations": ("praman", ("kjohansson",)),
    "product": ("epetrova", ("ylee",)),
    "it": ("mkeller", ("ofarouk",)),
    "communications": ("abello", ("gmartin",)),
    "strategy": ("therrera", ()),
}

PEOPLE = (
    DemoPerson("ceo", "Catherine", "Moreau", "Chief Executive Officer", "strategy", True),
    DemoPerson("dokafor", "Daniel", "Okafor", "Chief Marketing Officer", "marketing", True),
    DemoPerson("praman", "Priya", "Raman", "Chief Operating Officer", "operations", True),
    DemoPerson("mkeller", "Martin", "Keller", "Chief Information Officer", "it", True),
    DemoPerson("srossi", "Sofia", "Rossi", "Vice President, Sales", "sales"),
    DemoPerson("jwhitaker", "James", "Whitaker", "Head of Customer Service", "customer-service"),
    DemoPerson("epetrova", "Elena", "Petrova", "Head of Product", "product"),
    DemoPerson("abello", "Aisha", "Bello", "Head of Communications", "communications"),
    DemoPerson("therrera", "Tomás", "Herrera", "Head of Strategy", "strategy"),
    DemoPerson("lnguyen", "Linh", "Nguyen", "Director, Customer Journeys", "marketing"),
    DemoPerson("hsato", "Hiro", "Sato", "Marketing Analytics Lead", "marketing"),
    DemoPerson("bmensah", "Ben", "Mensah", "Sales Operations Manager", "sales"),
    DemoPerson("cfischer", "Clara", "Fischer", "Call Centre Manager", "customer-service"),
    DemoPerson("rdiaz", "Rosa", "Díaz", "Digital Service Manager", "customer-service"),
    DemoPerson("kjohansson", "Karl", "Johansson", "Billing Operations Lead", "operations"),
    DemoPerson("ylee", "Yuna", "Lee", "Senior Product Manager", "product"),
    DemoPerson("ofarouk", "Omar", "Farouk", "Head of Digital Channels", "it"),
    DemoPerson("gmartin", "Grace", "Martin", "Social Media Manager", "communications"),
    DemoPerson("nkowalski", "Nina", "Kowalski", "Campaign Manager", "marketing"),
    DemoPerson("pcosta", "Pedro", "Costa", "Brand Manager", "marketing"),
    DemoPerson("awright", "Amelia", "Wright", "Key Account Manager", "sales"),
    DemoPerson("tbrown", "Tom", "Brown", "Inside Sales Lead", "sales"),
    DemoPerson("mgarcia", "Marta", "García", "Partner Sales Manager", "sales"),
    DemoPerson("sali", "Samir", "Ali", "Complaints Team Lead", "customer-service"),
    DemoPerson("ejones", "Emma", "Jones", "Service Quality Analyst", "customer-service"),
    DemoPerson("lmuller", "Lukas", "Müller", "Store Operations Manager", "operations"),
    DemoPerson("fadeyemi", "Funmi", "Adeyemi", "Fulfilment Manager", "operations"),
    DemoPerson("zchen", "Zhao", "Chen", "Product Manager, Mobile App", "product"),
    DemoPerson("ismith", "Isla", "Smith", "Pricing Manager", "product"),
    DemoPerson("vpopov", "Viktor", "Popov", "Data Platform Lead", "it"),
    DemoPerson("dkim", "Daniel", "Kim", "Web Engineering Manager", "it"),
    DemoPerson("cobrien", "Ciara", "O'Brien", "Press Officer", "communications"),
    DemoPerson("jsilva", "João", "Silva", "Governance Office Manager", "strategy"),
    DemoPerson("hlarsen", "Henrik", "Larsen", "Strategy Analyst", "strategy"),
)

ADMIN = DemoPerson("admin", "Alex", "Admin", "Governance administrator", "strategy")

LOGINS = (
    ("admin", "administrator (staff): the admin site and everything"),
    ("ceo", "CEO, executive: the top of every escalation"),
    ("dokafor", "CMO, executive and head of Marketing"),
    ("srossi", "head of Sales"),
    ("lnguyen", "delegate for Marketing"),
    ("nkowalski", "member of Marketing, acts for no function"),
)


def _ensure_admin() -> User:
    """The administrator the rest of the demo is written as. Bootstrapping: nobody can act
    before an administrator exists, so this one account is created directly."""
    admin = User.objects.filter(username=ADMIN.username).first()
    if admin is None:
        admin = User.objects.create_superuser(
            ADMIN.username, f"{ADMIN.username}@example.com", DEMO_PASSWORD
        )
    return admin


@transaction.atomic
def seed(*, stdout) -> list[tuple[str, str]]:
    admin = _ensure_admin()

    functions: dict[str, Function] = {}
    for slug, name, description in FUNCTIONS:
        function = Function.objects.filter(slug=slug).first()
        if function is None:
            function = services.function_create(
                actor=admin, slug=slug, name=name, description=description
            )
        else:
            function = services.function_update(
                actor=admin,
                function=function,
                name=name,
                description=description,
                is_active=True,
            )
        functions[slug] = function

    # Hash the shared demo password once: hashing is deliberately slow, and 35 people
    # would otherwise take seconds.
    password_hash = make_password(DEMO_PASSWORD)
    people: dict[str, User] = {}
    for person in (ADMIN, *PEOPLE):
        fields = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{person.username}@example.com",
            "title": person.title,
            "function": functions[person.function],
        }
        existing = User.objects.filter(username=person.username).first()
        if existing is None:
            people[person.username] = services.person_create(
                actor=admin,
                username=person.username,
                password=None,
                is_executive=person.is_executive,
                **fields,
            )
            User.objects.filter(pk=people[person.username].pk).update(password=password_hash)
        else:
            people[person.username] = services.person_update(
                actor=admin,
                person=existing,
                is_executive=person.is_executive,
                is_active=True,
                **fields,
            )

    for slug, (head, delegates) in LEADERSHIP.items():
        services.function_update(
            actor=admin,
            function=functions[slug],
            head=people[head],
            delegates=[people[d] for d in delegates],
        )

    stdout.write(
        f"Organisation: {len(functions)} functions, {len(people)} people "
        f"({sum(p.is_executive for p in PEOPLE)} executives)."
    )
    return [(username, DEMO_PASSWORD, role) for username, role in LOGINS]
