"""Synthetic names and facts for the demo clinic. Invented; any likeness to real people is chance."""

GIVEN_NAMES = [
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emerson",
    "Finley",
    "Greer",
    "Harper",
    "Indra",
    "Jules",
    "Kendall",
    "Lennox",
    "Marlow",
    "Noor",
    "Oakley",
    "Parker",
    "Quinn",
    "Rowan",
    "Sasha",
    "Tatum",
    "Umi",
    "Vesper",
    "Wren",
    "Xiomara",
    "Yael",
    "Zion",
    "Arden",
    "Briar",
    "Cove",
    "Dakota",
]
FAMILY_NAMES = [
    "Ashgrove",
    "Bellweather",
    "Carrow",
    "Dunmore",
    "Eastlake",
    "Fairbanks",
    "Glenholm",
    "Hartwell",
    "Ivesdale",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Moorfield",
    "Northcott",
    "Oakhurst",
    "Pembrook",
    "Quillon",
    "Redfern",
    "Stonebridge",
    "Thornbury",
    "Underhill",
    "Valeford",
    "Whitlock",
    "Yarrow",
]
PRONOUNS = ["she/her", "he/him", "they/them", ""]
PEOPLE = [
    ("partner", ["My partner", "Sam", "Robin", "Alex"]),
    ("parent", ["Mum", "Dad", "Mother", "Father"]),
    ("child", ["Eldest", "Little one", "Son", "Daughter"]),
    ("sibling", ["Big sister", "Brother", "Twin"]),
    ("other_family", ["Aunt", "Grandmother", "Cousin"]),
    ("friend", ["Best friend", "School friend", "Neighbour"]),
    ("coworker", ["Shift lead", "Work friend"]),
    ("sponsor", ["Sponsor", "Peer mentor"]),
    ("using_associate", ["Old crowd", "Dealer contact", "Party friend"]),
]
SITES = [
    ("North Riverside Clinic", "12 Example Lane, Springfield", "555 010 0100"),
    ("Hillcrest Recovery Centre", "48 Sample Road, Springfield", "555 010 0200"),
]
STAFF = [
    ("therapist", "Theo Therapist"),
    ("counsellor", "Cora Counsellor"),
    ("physician", "Dr Phil Physician"),
    ("supervisor", "Sue Supervisor"),
    ("director", "Dee Director"),
    ("admin", "Adam Admin"),
]

# ---------------------------------------------------------------------------------------------------- IPT episodes
# The demo's IPT episodes (IPT-DOMAIN §1–4, §8). Everything is invented; places and people are made up.

# Aliases added when a client has named fewer than three people, so every inventory covers at least three.
EXTRA_PEOPLE = [
    ("other_family", "Cousin M."),
    ("friend", "Neighbour T."),
    ("other", "Housemate R."),
    ("coworker", "Colleague D."),
    ("friend", "Old friend J."),
]
# The peer added for a client whose story is the move into recovery and who has no sponsor yet.
EXTRA_SPONSOR = ("sponsor", "Sponsor K.")

# Per relationship type: the rings of the first entry, the ring a later entry moves to, and the inventory's words.
# Text fields hold one or more options; the command picks one with its seeded random generator.
INVENTORY = {
    "partner": {
        "rings": (1, 1, 2),
        "moves": {1: 2, 2: 1},
        "contact_frequency": ["Lives together", "Every day"],
        "good_things": ["Has stuck around through the worst of it; they still laugh together", "Warm, practical"],
        "not_so_good": ["Rows about money and about who does what at home", "Checks up on them all the time"],
        "can_talk_about": ["The children, plans for the weekend", "Work, money"],
        "cannot_talk_about": ["How much they were really using", "Feeling low"],
        "client_expects": ["To be trusted again", "Less checking up, more support"],
        "they_expect": ["Honesty about use; help with the bills", "To stop going out with the old crowd"],
        "expectations_met": ["partly", "not_met"],
        "conflict_pattern": ["Arguments flare late in the evening, then days of silence"],
        "knows_about_problems": True,
        "change_since_onset": ["More distant since the use got worse"],
        "supports_recovery": True,
        "closer": "Talking more calmly; they agreed a budget together",
        "further": "Staying with a friend for now; they talk only about practical things",
    },
    "parent": {
        "rings": (2, 3),
        "moves": {2: 1, 3: 2},
        "contact_frequency": ["Weekly phone call", "Sees them most Sundays"],
        "good_things": ["Always picks up the phone", "Helped with rent last winter"],
        "not_so_good": ["Lectures about the past", "Worries out loud, which feels like criticism"],
        "can_talk_about": ["Family news, work"],
        "cannot_talk_about": ["The use", "Why they left home early"],
        "client_expects": ["To be treated as an adult"],
        "they_expect": ["Regular visits; to stay away from old friends"],
        "expectations_met": ["partly", "met"],
        "conflict_pattern": ["Old arguments come back at family meals"],
        "knows_about_problems": True,
        "change_since_onset": ["Sees less of them; visits were cut short"],
        "supports_recovery": True,
        "closer": "Back to Sunday lunches; they came to a family session",
        "further": "Calls less since an argument about money",
    },
    "child": {
        "rings": (1, 2),
        "moves": {2: 1, 1: 2},
        "contact_frequency": ["Every day", "Every other weekend"],
        "good_things": ["The main reason to get well", "Affectionate, funny"],
        "not_so_good": ["Worries about them; has started asking questions"],
        "can_talk_about": ["School, football, films"],
        "cannot_talk_about": ["The treatment"],
        "client_expects": ["To be forgiven for the bad months"],
        "they_expect": ["To turn up when promised"],
        "expectations_met": ["partly"],
        "conflict_pattern": [""],
        "knows_about_problems": True,
        "change_since_onset": ["Contact was supervised for a while"],
        "supports_recovery": True,
        "closer": "Overnight stays again since the last review",
        "further": "Fewer visits while the custody arrangement is reviewed",
    },
    "sibling": {
        "rings": (2, 3),
        "moves": {2: 1, 3: 2},
        "contact_frequency": ["Texts most days", "Monthly"],
        "good_things": ["Knows them best; no judgement", "Gets them out of the house"],
        "not_so_good": ["Drinks heavily too", "Takes sides with the parents"],
        "can_talk_about": ["Almost anything", "Childhood, music"],
        "cannot_talk_about": ["Money owed"],
        "client_expects": ["Backing when the family criticises"],
        "they_expect": ["Repayment of a loan; to be there for the kids' birthdays"],
        "expectations_met": ["met", "partly"],
        "conflict_pattern": ["Rare, but sharp when they happen"],
        "knows_about_problems": True,
        "change_since_onset": ["Stepped in when things were worst"],
        "supports_recovery": True,
        "closer": "Has become the first call on a bad evening",
        "further": "Less contact since they kept offering a drink",
    },
    "other_family": {
        "rings": (3, 4),
        "moves": {3: 2, 4: 3},
        "contact_frequency": ["A few times a year", "Monthly"],
        "good_things": ["Kind, easy company", "Remembers birthdays"],
        "not_so_good": ["Gossips to the rest of the family"],
        "can_talk_about": ["Family history, holidays"],
        "cannot_talk_about": ["The use", "Mental health"],
        "client_expects": ["Nothing much"],
        "they_expect": ["To come to family gatherings"],
        "expectations_met": ["met"],
        "conflict_pattern": [""],
        "knows_about_problems": False,
        "change_since_onset": ["Lost touch for a couple of years"],
        "supports_recovery": False,
        "closer": "Back in touch; meets them for coffee",
        "further": "Stopped calling",
    },
    "friend": {
        "rings": (2, 3),
        "moves": {3: 2, 2: 3},
        "contact_frequency": ["Weekly", "Every couple of weeks"],
        "good_things": ["Good listener; sober for years", "Walks together at weekends"],
        "not_so_good": ["Busy with a new baby", "Lives across town"],
        "can_talk_about": ["Feelings, the past, plans"],
        "cannot_talk_about": ["Very little is off limits"],
        "client_expects": ["To be there without being asked"],
        "they_expect": ["To keep in touch and to be honest"],
        "expectations_met": ["met", "partly"],
        "conflict_pattern": [""],
        "knows_about_problems": True,
        "change_since_onset": ["Drifted apart when the use took over"],
        "supports_recovery": True,
        "closer": "Meets up every week again",
        "further": "Seen less; busy with work",
    },
    "coworker": {
        "rings": (3, 4),
        "moves": {3: 4, 4: 3},
        "contact_frequency": ["Every shift", "Weekdays"],
        "good_things": ["Fair, covers shifts when needed", "Jokes make the day go faster"],
        "not_so_good": ["After-work drinks are expected"],
        "can_talk_about": ["Work, sport"],
        "cannot_talk_about": ["The treatment", "Time off for appointments"],
        "client_expects": ["Discretion"],
        "they_expect": ["Reliability on shift"],
        "expectations_met": ["partly"],
        "conflict_pattern": ["Tension about missed shifts"],
        "knows_about_problems": False,
        "change_since_onset": ["Trust dropped after missed shifts"],
        "supports_recovery": False,
        "closer": "Knows about the treatment now and swaps shifts for appointments",
        "further": "Keeps it strictly to work since they stopped going for drinks",
    },
    "sponsor": {
        "rings": (3, 3, 2),
        "moves": {3: 2, 2: 1},
        "contact_frequency": ["Meets weekly; calls when needed", "At the Tuesday meeting"],
        "good_things": ["Has been there; answers the phone at night", "Calm, practical"],
        "not_so_good": ["Can be blunt"],
        "can_talk_about": ["Cravings, the past, shame"],
        "cannot_talk_about": ["Nothing off limits so far"],
        "client_expects": ["To be available on bad nights"],
        "they_expect": ["To come to meetings and call before using"],
        "expectations_met": ["met"],
        "conflict_pattern": [""],
        "knows_about_problems": True,
        "change_since_onset": ["New since entering treatment"],
        "supports_recovery": True,
        "closer": "Calls several times a week; the first person told about cravings",
        "further": "Missed meetings; less contact",
    },
    "using_associate": {
        "rings": (2, 2, 3),
        "moves": {2: 4, 3: 4},
        "contact_frequency": ["Most weekends", "Texts several times a week"],
        "good_things": ["Fun, no questions asked", "Known each other since school"],
        "not_so_good": ["Every meeting ends in using", "Owes them money"],
        "can_talk_about": ["Nights out, old times"],
        "cannot_talk_about": ["Wanting to stop"],
        "client_expects": ["To stay friends without using"],
        "they_expect": ["To join in, as before"],
        "expectations_met": ["not_met"],
        "conflict_pattern": ["Mocks the treatment; turns up unannounced"],
        "knows_about_problems": False,
        "change_since_onset": ["Was the closest friend while using"],
        "uses_with_client": True,
        "part_in_triggers": "Offers to use; the meeting places are the old using places",
        "closer": "Back in contact after a lapse",
        "further": "Number blocked; avoids the places they meet",
    },
    "other": {
        "rings": (3, 4),
        "moves": {4: 3, 3: 2},
        "contact_frequency": ["Sees them around the house", "Now and then"],
        "good_things": ["Easy going", "Helps out with small things"],
        "not_so_good": ["Keeps odd hours"],
        "can_talk_about": ["Day-to-day things"],
        "cannot_talk_about": ["Anything personal"],
        "client_expects": ["Quiet, shared chores"],
        "they_expect": ["Rent on time"],
        "expectations_met": ["partly"],
        "conflict_pattern": [""],
        "knows_about_problems": None,
        "change_since_onset": ["Met since the problems began"],
        "supports_recovery": False,
        "closer": "Cooks together twice a week now",
        "further": "Hardly see each other",
    },
}

# Who died, in the grief stories: not in the inventory, and recorded among the client's people only when the grief
# area names them. Family, so the relative named with the event shares the loss. Texts in the client's own words
# (a trigger, the safety plan) say {my_deceased}: "my stepfather".
DECEASED = ["their grandfather", "their uncle", "their stepfather", "their godmother"]
# How the client's use is spoken of, what they are offered, and the substance's name, by primary substance.
USE_WORDS = {
    "alcohol": ("drinking", "a drink", "alcohol"),
    "opioids": ("using", "pills", "opioid"),
    "cocaine": ("using", "a line", "cocaine"),
    "methamphetamine": ("using", "crystal", "stimulant"),
    "cannabis": ("smoking", "a smoke", "cannabis"),
    "sedatives": ("taking pills", "pills", "sedative"),
}

# Timeline events of each story: (type, title, days before the episode's start, mood range, change in use, note,
# who was involved). "who" names a role the command fills from the client's people: dispute, family, sponsor,
# using, support.
STORY_EVENTS = {
    "dispute": [
        (
            "relationship_start",
            "Moved in with {dispute}",
            (1100, 1800),
            (7, 9),
            "same",
            "A good year at first.",
            "dispute",
        ),
        ("dispute", "Rows with {dispute} about money and {use}", (150, 420), (3, 4), "more", "", "dispute"),
        (
            "dispute",
            "{dispute} asked them to leave for a week",
            (35, 120),
            (1, 3),
            "more",
            "Slept on a sofa.",
            "dispute",
        ),
    ],
    "grief": [
        ("death", "Death of {deceased}", (480, 900), (1, 3), "more", "Sudden; no chance to say goodbye.", "family"),
        ("other", "Stopped seeing friends after the funeral", (300, 470), (2, 3), "more", "", ""),
        # No window: dated on the last anniversary of the death before the episode began.
        ("use_episode", "{use_title} heavily around the anniversary of the death", None, (1, 2), "more", "", ""),
    ],
    "recovery": [
        ("use_episode", "{use_title} every day; missed family events", (150, 500), (2, 3), "more", "", "using"),
        ("other", "First peer recovery meeting, with {sponsor}", (-6, -1), (5, 6), "less", "", "sponsor"),
    ],
    "job": [
        ("job", "Lost the warehouse job after missed shifts", (200, 600), (2, 3), "more", "Felt useless.", ""),
        ("move", "Moved into a shared house to cut costs", (60, 190), (4, 5), "same", "", ""),
    ],
    "separation": [
        ("relationship_end", "Separated from a partner of eight years", (300, 700), (1, 3), "more", "", ""),
        ("move", "Moved into a one-bedroom flat alone", (120, 290), (3, 4), "more", "", ""),
    ],
    "deficits": [
        ("move", "Moved to Springfield for work; knew nobody", (900, 1500), (4, 6), "same", "", ""),
        ("other", "Stopped going to the Sunday football group", (300, 800), (3, 4), "more", "", ""),
        ("use_episode", "{use_title} alone most evenings", (40, 250), (2, 3), "more", "", ""),
    ],
}
# Added to reach the drawn number of events; same shape.
EXTRA_EVENTS = [
    ("use_episode", "Lapse after a family party", (30, 90), (3, 4), "more", "", "family"),
    ("job", "Started part-time work at a garden centre", (60, 300), (6, 7), "same", "", ""),
    ("other", "Spent a night in hospital after mixing substances", (200, 700), (1, 2), "more", "", ""),
    ("move", "Moved back in with family", (400, 1000), (4, 5), "same", "", "family"),
]
# The change in use is drawn: less or stopped.
TREATMENT_ENTRY = ("treatment_entry", "Started at {site}", (3, 28), (4, 5), "", "Self-referred after a bad month.", "")

# Triggers: (type, description, places, feelings, risk, coping response, who is involved).
TRIGGERS = {
    "dispute": (
        "interpersonal",
        "Arguments with {dispute} about money or {use}",
        "Home, late evenings",
        "Angry, hurt, not listened to",
        "high",
        "Pause the row and agree a time to talk; walk round the block; text {support}.",
        "dispute",
    ),
    "grief": (
        "emotional",
        "Reminders of {my_deceased}: the anniversary, old photos, the songs we shared",
        "The family home; the cemetery",
        "Sad, guilty, empty",
        "moderate",
        "Plan the anniversary with {support}; write a letter to them; go to the meeting that evening.",
        "family",
    ),
    "recovery": (
        "environmental",
        "Evenings that used to be for {use}, with nothing in their place",
        "Home after 6 pm",
        "Bored, restless",
        "moderate",
        "Evening meeting or a call with {sponsor}; cook a proper meal.",
        "sponsor",
    ),
    "job": (
        "emotional",
        "Feeling useless on weekdays with no work",
        "Home during the day",
        "Ashamed, bored",
        "moderate",
        "Structure the day: morning walk, job centre, volunteering shift.",
        "",
    ),
    "separation": (
        "emotional",
        "Seeing the ex-partner's posts online",
        "Phone, late at night",
        "Rejected, lonely",
        "moderate",
        "Mute the accounts; phone off after 10 pm; call {support}.",
        "",
    ),
    "deficits": (
        "halt",
        "Lonely, tired evenings with nothing planned",
        "The flat, evenings and weekends",
        "Lonely, tired",
        "moderate",
        "Eat a proper meal, plan one contact a day, go to the Thursday drop-in group.",
        "",
    ),
    "using": (
        "interpersonal",
        "Being offered {offer} by {using}",
        "The estate car park; house parties",
        "Tempted, left out",
        "high",
        "Leave early, carry no cash, call {support}.",
        "using",
    ),
}
EXTRA_TRIGGERS = [
    (
        "environmental",
        "Payday Fridays, with cash in hand on the way home",
        "High Street; the old meeting spots",
        "Restless, 'deserve a treat'",
        "moderate",
        "Take the bus route that avoids High Street; move money to the bills account on payday.",
        "",
    ),
    (
        "halt",
        "Hungry and tired after late shifts",
        "Walking home after work",
        "Exhausted, irritable",
        "low",
        "Eat before leaving work; go straight home and to bed.",
        "",
    ),
    (
        "interpersonal",
        "Family parties where everyone drinks",
        "Family gatherings, weddings",
        "Anxious, awkward",
        "moderate",
        "Arrive late, leave early, bring alcohol-free drinks, agree an exit plan with {support}.",
        "family",
    ),
]

# Assessment (history) texts.
MENTAL_HEALTH = {
    "depression": "Low mood on and off since their late teens; worse this past year, with poor sleep.",
    "anxiety": "Constant worry and panic attacks in crowded places; uses to calm down.",
    "ptsd": "Nightmares and flashbacks after an assault in their twenties; avoids reminders.",
}
MEDICAL = ["None known.", "Raised liver enzymes at the last check-up.", "Asthma, well controlled.", "Back pain."]
HOUSING = [
    "Rents a flat; tenancy secure.",
    "Lives with a parent for now.",
    "Shared house; rent sometimes late.",
    "Temporary accommodation; on the housing list.",
]
WORK = [
    "Full time in retail.",
    "Part-time kitchen work.",
    "On sick leave from an office job.",
    "Self-employed decorator.",
]
LEGAL = ["None.", "None.", "A drink-driving conviction three years ago.", "Court date pending for shoplifting."]
STRENGTHS = [
    "Good sense of humour; kept every appointment so far.",
    "Practical and good with their hands; wants to work again.",
    "Close to their family; motivated by their children.",
    "Honest about the use; has stopped before for six months.",
]
# Physician-recorded medications.
MEDICATIONS = {
    "opioids": "Buprenorphine 16 mg daily, started at intake.",
    "alcohol": "Acamprosate 666 mg three times a day.",
    "depression": "Sertraline 50 mg daily.",
}
# Per substance: age at first use, pattern, route, and the overdoses it may have caused at most.
SUBSTANCE_HISTORY = {
    "alcohol": ((14, 18), "Daily, 8–12 standard drinks; heavier at weekends.", "oral", 0),
    "opioids": ((17, 26), "Prescribed after an injury, then street opioids most days.", "smoked", 2),
    "cocaine": ((17, 25), "Weekend binges, more since the problems at home.", "intranasal", 0),
    "methamphetamine": ((16, 24), "Several days a week, often awake for two days.", "smoked", 1),
    "cannabis": ((13, 16), "Several joints a day, from waking.", "smoked", 0),
    "sedatives": ((18, 30), "Diazepam bought online, more at night.", "oral", 1),
}
PRIOR_TREATMENT = ["None.", "Community detox two years ago.", "Outpatient counselling; left after three sessions."]

# The formulation, in plain words, by the story it rests on.
FORMULATION = {
    "dispute": (
        "{name}'s low mood and the increase in {substance} use over the past year are closely tied to the dispute "
        "with {dispute}: the two expect different things of each other about money, time together and {use}. "
        "We will work on the dispute and on how {name} asks for what they need."
    ),
    "grief": (
        "{name}'s depression and heavier {substance} use began after the death of {deceased}, which {name} has "
        "not been able to mourn. We will work on the loss: the relationship, good and bad, and new activities "
        "and supports."
    ),
    "recovery": (
        "Entering treatment has changed {name}'s life: the old using friends are gone and a new role, in "
        "recovery, is not yet comfortable. Mood dropped as {substance} use stopped. We will work on this role "
        "transition."
    ),
    "job": (
        "{name}'s low mood and {substance} use worsened after losing work, with the routine, income and "
        "colleagues that came with it. We will work on this role transition: what was lost and what the next "
        "role can be."
    ),
    "separation": (
        "{name}'s low mood and {substance} use worsened after the separation and the move to living alone. We "
        "will work on this role transition: mourning the old life and building the new one."
    ),
    "deficits": (
        "{name} has few close relationships and has been isolated for years; {substance} use fills the evenings. "
        "With no recent loss, dispute or life change, we will work on interpersonal deficits: building new "
        "relationships."
    ),
}
# Problem areas: the story's area and why it fits.
AREAS = {
    "dispute": ("role_dispute", "Mood and use worsen after rows with {dispute}; the timeline shows both rising."),
    "grief": ("grief", "Symptoms began after the death of {deceased} and rise around the anniversary."),
    "recovery": ("role_transition", "The move into treatment and early abstinence: the old network is gone."),
    "job": ("role_transition", "Symptoms and use rose after the job loss; the new role is not yet found."),
    "separation": ("role_transition", "Symptoms and use rose after the separation and the move."),
    "deficits": ("interpersonal_deficits", "Few relationships, long-standing isolation; use fills the gap."),
}
# The role left or lost and the role taken up, for the stories that are role transitions (IPT-DOMAIN §2).
TRANSITION_ROLES = {
    "recovery": ("Using, with the old crowd", "In recovery, with a sponsor and the group"),
    "job": ("Working, with a routine and colleagues", "Out of work, looking for the next role"),
    "separation": ("Living with a partner", "Living alone after the separation"),
}
WHY_NOT_OTHER_AREAS = (
    "No recent death, no current dispute and no recent life change: the isolation was there before the use began."
)
# Goals per story: (what will change, how it will be seen, detail).
# The first goal of a role dispute depends on its stage; the story's goals follow it.
DISPUTE_GOALS = {
    "renegotiation": ("Agree a plan with {dispute} about money and time together", "Renegotiation ends in a plan"),
    "impasse": ("Get talking with {dispute} again about what each expects", "From impasse to renegotiation"),
    "dissolution": ("End the relationship with {dispute} with as little harm as possible", "A calm, agreed separation"),
}
GOALS = {
    "dispute": [
        ("Say what they need calmly, without {use} first", "behaviour", "Two calm talks a week"),
    ],
    "grief": [
        ("Talk about {deceased} with someone close, the good memories and the hard ones", "behaviour", ""),
        ("Mood lifts as the mourning moves on", "measure", "PHQ-9 below 10"),
    ],
    "recovery": [
        ("Build a recovery network around {sponsor} and the group", "ring_change", "{sponsor} moves a ring closer"),
        ("See the new role more positively", "measure", "PHQ-9 below 10"),
    ],
    "job": [
        ("Find a new daily routine and take a first step back to work", "behaviour", "Volunteering once a week"),
        ("Mood lifts as the new role takes shape", "measure", "PHQ-9 below 10"),
    ],
    "separation": [
        ("Mourn the old relationship and make the flat a home", "behaviour", ""),
        ("Reconnect with an old friend", "ring_change", "A friend moves to ring 2"),
    ],
    "deficits": [
        ("Make one new relationship outside using", "ring_change", "A new person in ring 2 or 3"),
        ("Join a weekly group activity", "behaviour", "Goes four weeks running"),
    ],
}
# How the dispute shows in the inventory entry of the person it is with, by stage.
DISPUTE_CONFLICT = {
    "renegotiation": "Rows, then both try to talk it through",
    "impasse": "Rows that go nowhere, then days of silence",
    "dissolution": "Talk of separating; contact kept to practical things",
}
MUTUAL_HELP = "Peer recovery group, Tuesday evenings at {site}"
