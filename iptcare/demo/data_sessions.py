"""Synthetic session-note texts for the demo clinic (issue 5 part 9). Invented; any likeness to real people is chance.

Placeholders are filled from the episode's words (see _DemoEpisode in the demo command): {name}, {use} (drinking,
using…), {habit} (the client's own word for the substance: the drink, the pills…), {offer}, {substance}, {site},
{deceased} ("their stepfather"; {my_deceased}, "my stepfather", in the client's own words), {dispute}, {sponsor},
{support}, {family}, {other}. A template names a person only when the story guarantees one: {dispute} in dispute
stories, {sponsor} in recovery stories and second areas.

Techniques follow IPT-DOMAIN §3; notes open with the interval history, which links events since the last session
to mood and use.
"""

# When the demo's therapists see clients: the therapist keeps office hours, the counsellor starts later for clients
# who work. Thursday from 17:00 stays free in both diaries for the group IPT cycle (GROUP_SESSION).
SESSION_TIMES = {
    "therapist": ("09:00", "10:00", "11:00", "13:30", "14:30", "15:30"),
    "counsellor": ("10:00", "11:00", "12:00", "14:00", "15:00", "16:00"),
}
# The weekly group IPT session (issue 5 part 6): weekday (Monday = 0), start, minutes. The demo's individual
# sessions never use this time, so the group cycle can be scheduled without clashes.
GROUP_SESSION = (3, "17:30", 90)

# Past sessions after the initial phase that were missed or cancelled: about one in eight.
LOST_SESSION_RATE = 1 / 8
CANCEL_REASONS = {
    "client": [
        "Childcare fell through",
        "Unwell with flu",
        "Court date on the same morning",
        "Job interview at the same time",
        "Family funeral out of town",
    ],
    "therapist": ["Therapist off sick", "Therapist at the regional IPT supervision day"],
    "program": ["Clinic closed for a fire-safety inspection", "Clinic closed for staff training"],
}
RESCHEDULE_REASON = "Moved at the client's request: a hospital appointment at the usual time."

# ---------------------------------------------------------------------------------------------------- initial phase

# What the first session heard, by story.
FIRST_SESSION_STORY = {
    "dispute": "a year of rows with {dispute} about money and {use}",
    "grief": "how things fell apart after the death of {deceased}",
    "recovery": "the weeks since stopping, and feeling lost without the old crowd",
    "job": "losing the warehouse job and the empty months since",
    "separation": "the separation and the move into a flat alone",
    "deficits": "years of few friends and long evenings alone",
}
SICK_ROLE_EXCUSES = [
    "the extra shifts",
    "hosting the family at weekends",
    "sorting out the house move",
    "looking after everyone else",
    "the volunteering rota",
]
FIRST_SESSION = (
    "First session. {name} described {story}. Took the history of the low mood and the {substance} use and gave "
    "the PHQ-9; explained depression as a common, treatable illness. Sick role: {name} is excused from {excuse} "
    "for now, and is expected to come each week and to work at getting well."
)
INVENTORY_SESSION = (
    "Interpersonal inventory: went through the people in {name}'s life, closest first ({people}). What is good, "
    "what is not, what can be talked about. {name} noticed that {habit} took over as contact with {support} fell."
)
# Said when the client accepted the formulation, by story.
FORMULATION_QUOTES = {
    "dispute": "the rows and {habit} feed each other",
    "grief": "I never really said goodbye",
    "recovery": "I don't know who I am without it yet",
    "job": "I lost more than a job",
    "separation": "I'm still living in the old life",
    "deficits": "I have been on my own for too long",
}
FORMULATION_SESSION = (
    "Drew the timeline of mood, {substance} use and events together. Read the formulation aloud; {name} agreed "
    "with it: '{quote}'. Contract signed: {sessions} weekly sessions, {focus}."
)
# The client's own word for what they use, by primary substance (the notes quote the client).
HABIT_WORDS = {
    "alcohol": "the drink",
    "opioids": "the pills",
    "cocaine": "the coke",
    "methamphetamine": "the crystal",
    "cannabis": "the weed",
    "sedatives": "the pills",
}
# A session past the initial phase of an episode still in assessment (overdue).
UNDECIDED_SESSION = (
    "Inventory continued with {person}. {name} is not yet sure the work should be about {focus}; we agreed to "
    "decide next week. No contract yet."
)
INITIAL_TECHNIQUES = [["exploratory", "clarification"], ["exploratory", "encouragement_of_affect", "clarification"]]
INITIAL_PLANS = {
    1: "Begin the interpersonal inventory.",
    2: "Finish the inventory and draw the timeline; agree the focus.",
    "undecided": "Agree the problem area and read the formulation together.",
}
FOCUS_WORDS = {
    "dispute": "the dispute with {dispute}",
    "grief": "the loss of {deceased}",
    "recovery": "the change that entering treatment brought",
    "job": "the change since losing work",
    "separation": "the change since the separation",
    "deficits": "building relationships",
}

# ---------------------------------------------------------------------------------------------------- middle phase

# Events since the last session, by story: what happened, the link to use when there was use ("link"), and what
# happened instead when there was none ("instead", optional). Some carry an interpersonal incident: (who, what
# happened, affect, communication analysis); "who" is a role (dispute, family, sponsor, support, using, other).
MIDDLE_EVENTS = {
    "dispute": [
        {
            "history": "{dispute} found an unpaid bill and said {name} had spent the money on {use} again; they "
            "shouted, then neither spoke for two days. {name} felt written off.",
            "link": "both on the nights after the row",
            "instead": "; went to bed early instead and texted {support}",
            "incident": (
                "dispute",
                "Row about an unpaid bill on Thursday evening. {dispute} said 'you always put {habit} first'; {name} "
                "shouted back and left the house.",
                "Angry, ashamed, then flat for two days",
                "What {name} meant: 'I am trying and you do not see it'. What {dispute} heard: 'I do not care about "
                "the bills'. {name} hoped {dispute} would notice the weeks without {use} but never said so. Could "
                "say: 'I know the bill scared you. Can we go through the money together on Sunday?'",
            ),
        },
        {
            "history": "A calmer week. {name} asked {dispute} for a set time to talk about money, as rehearsed last "
            "session, and they agreed a weekly budget. Felt heard for the first time in months.",
            "link": "once, at a party at the weekend",
        },
        {
            "history": "{dispute} brought up the past at a family meal; {name} left early, walked for an hour and "
            "came back calmer. Wonders whether {dispute} will ever trust them again.",
            "link": "on the evening of the meal",
            "instead": "; the walk helped",
            "incident": (
                "dispute",
                "At Sunday lunch {dispute} told the table about the night {name} was arrested. {name} said nothing, "
                "then left before dessert.",
                "Humiliated, furious",
                "{name} said nothing because 'anything I say makes it worse'. {dispute} later said they wanted "
                "{name} to stand up for themself. Role-played saying calmly: 'That hurt. I don't want that told at "
                "the table.'",
            ),
        },
        {
            "history": "Tried the 'I' statements at home: told {dispute} 'I feel shut out when you check my phone'. "
            "{dispute} cried and said they are scared of the old days coming back. A long talk followed.",
            "link": "before the talk, not after",
        },
        {
            "history": "{dispute} stayed at a friend's for two nights after an argument about the time {name} spends "
            "at meetings. {name} felt abandoned and spent the evenings alone.",
            "link": "on both evenings alone",
            "instead": "; rang {support} on the second evening",
        },
        {
            "history": "Looked at what each expects: {name} wants trust back, {dispute} wants honesty about money. "
            "{name} was surprised how close the two are, and less angry by the end of the week.",
            "link": "at the weekend, with friends",
        },
    ],
    "grief": [
        {
            "history": "Found an old photo of {deceased} while clearing a drawer and cried for the first time since "
            "the funeral. Talked about it with {family}, which helped.",
            "link": "on the evening after finding the photo",
        },
        {
            "history": "Went to the cemetery with {family} for the first time. Spoke about the good times, and about "
            "the last argument with {deceased}, which still hurts.",
            "link": "that night, alone",
            "instead": "; stayed at {family}'s that night",
            "incident": (
                "family",
                "At the cemetery {family} said {name} 'never visited when it mattered'. {name} walked back to the car.",
                "Guilty, hurt",
                "{family} is grieving too and blames themself as well. {name} heard an accusation and said nothing. "
                "Could say: 'I know I wasn't there enough. I miss them too.'",
            ),
        },
        {
            "history": "A hard week: {deceased}'s birthday. Stayed in and did not answer the phone. Mood at its lowest "
            "in a month, then lifted after a call from {support}.",
            "link": "around the birthday",
        },
        {
            "history": "Went back to the Saturday walking group that {deceased} used to join; felt guilty for "
            "enjoying it, then less so.",
            "link": "once, after the walk, at the pub",
            "instead": "; had a soft drink at the pub after the walk",
        },
        {
            "history": "Talked about what {deceased} was like on bad days as well as good ones: the temper, the "
            "broken promises. {name} was surprised to feel angry as well as sad.",
            "link": "the night after the session",
        },
        {
            "history": "Helped {family} sort through {deceased}'s things; kept a watch and a letter. Felt close to the "
            "family for the first time in a while.",
            "link": "at the end of a long day of sorting",
            "incident": (
                "family",
                "{family} wanted to give the old car away; {name} wanted to keep it. They argued, then agreed to "
                "wait a month.",
                "Sad, protective",
                "The car stood for the trips with {deceased}; {family} saw only the cost. Once {name} said what the "
                "car meant, {family} softened. {name} noticed that saying the feeling worked better than arguing.",
            ),
        },
    ],
    "recovery": [
        {
            "history": "Went to two meetings with {sponsor}; felt out of place but stayed to the end. Evenings at home "
            "are the hardest: the hours that used to be for {use}.",
            "link": "on an evening alone at home",
            "instead": "; cooked a proper meal instead",
        },
        {
            "history": "{sponsor} did not answer one evening and {name} felt let down; talked it through with them the "
            "next day.",
            "link": "on the evening {sponsor} did not answer",
            "incident": (
                "sponsor",
                "Called {sponsor} at 11 pm with a craving; no answer. Next day {name} was curt with them.",
                "Let down, then embarrassed",
                "{name} expected {sponsor} to always be there; {sponsor} had a family evening. Talked about asking "
                "for a second number to call, and saying 'I was struggling last night' instead of going quiet.",
            ),
        },
        {
            "history": "Met people from the using days by chance at the shop; they asked {name} to come round. Said "
            "no, then felt lonely and left out all evening.",
            "link": "later that week, with the old crowd",
            "incident": (
                "using",
                "At the corner shop the old crowd invited {name} to a party and laughed at 'the new sober you'.",
                "Tempted, left out",
                "{name} laughed along, then said 'maybe'. Wanted to belong without using. Practised a short, "
                "friendly no: 'Not for me these days; good to see you.'",
            ),
        },
        {
            "history": "First week with a full routine: the Tuesday meeting, the gym on Thursday, dinner with "
            "{support} on Sunday. Proud, and tired.",
            "link": "once, on Saturday, out of habit",
        },
        {
            "history": "Told {support} about being in treatment; they were kinder than expected and asked how to help.",
            "link": "before telling them",
        },
        {
            "history": "Spoke at a meeting for the first time. Noticed that the new people know a side of {name} the "
            "old crowd never saw.",
            "link": "after a row at home at the weekend",
        },
    ],
    "job": [
        {
            "history": "Applied for three jobs and heard nothing back. Weekdays without structure are the worst; "
            "stayed in bed until noon twice.",
            "link": "on two empty weekdays",
        },
        {
            "history": "Started a volunteering shift at the food bank on Wednesdays; enjoyed the banter with the other "
            "volunteers.",
            "link": "at the weekend",
            "instead": "; the Wednesday shift gave the week a shape",
        },
        {
            "history": "At a cousin's wedding people kept asking what {name} does now. Felt ashamed and left early.",
            "link": "at the wedding",
            "incident": (
                "family",
                "{family} told the table that {name} 'is between jobs, again'. {name} left before the speeches.",
                "Ashamed, angry",
                "{family} meant to cover for {name}; it came out as a dig. {name} left without saying why. Could say "
                "next time: 'I'd rather tell people myself.'",
            ),
        },
        {
            "history": "Mourned the old job in the session: the mates on shift, being good at it, the pay. Also the "
            "pressure and the drinking after work, which {name} does not miss.",
            "link": "after a call from an old workmate",
        },
        {
            "history": "The job centre appointment went well: a forklift course starts next month. Told {support}, "
            "who offered to help with the forms.",
            "link": "to celebrate, on Friday",
        },
        {
            "history": "Argued with {support} about money and about feeling like a burden; made up the next day.",
            "link": "on the night of the argument",
            "incident": (
                "support",
                "{support} offered to lend money for the course; {name} snapped 'I don't need charity'.",
                "Ashamed, proud",
                "{support} wanted to help; {name} heard pity. Talked about what the old role gave: being the one who "
                "helps. Could accept help and say how it feels: 'Thank you. It's hard for me to take this.'",
            ),
        },
    ],
    "separation": [
        {
            "history": "Saw the ex-partner's new photos online late at night and could not sleep. Mood dipped for two "
            "days.",
            "link": "that night",
            "instead": "; muted the accounts and went to bed",
        },
        {
            "history": "Cooked for {support} in the flat for the first time; it began to feel like a home.",
            "link": "once, alone, at the weekend",
        },
        {
            "history": "Collected the last boxes from the old house: a polite, sad meeting with the ex-partner. Cried "
            "in the car afterwards.",
            "link": "that evening",
        },
        {
            "history": "Talked about what was lost: the routines, the shared friends, the future they had planned. "
            "Also what is not missed: the arguments and walking on eggshells.",
            "link": "on the anniversary of moving in together",
        },
        {
            "history": "Joined a five-a-side team through work; went for food afterwards and stayed on soft drinks.",
            "link": "later that week, alone",
        },
        {
            "history": "The weekend alone felt long. Phoned {support} on Sunday, which helped, and arranged a walk.",
            "link": "on Saturday night",
            "incident": (
                "support",
                "{support} cancelled the Saturday plan at the last minute; {name} said 'fine' and hung up.",
                "Rejected, lonely",
                "{name} heard 'you don't matter'; {support} had a sick child. {name} never said the plan mattered. "
                "Rehearsed: 'I was looking forward to it. Can we do Sunday instead?'",
            ),
        },
    ],
    "deficits": [
        {
            "history": "Went to the Thursday drop-in group and spoke to one person about football. Felt awkward, but "
            "went back the next week.",
            "link": "after the group, at home",
        },
        {
            "history": "Spent the whole weekend alone and did not speak to anyone from Friday to Monday.",
            "link": "over the weekend alone",
        },
        {
            "history": "Noticed in the session that {name} expects to be turned down, so does not ask; the same "
            "happened with the therapist at first.",
            "link": "on a lonely evening",
        },
        {
            "history": "Practised starting a conversation in a role play, then tried it with a neighbour: a short, "
            "friendly chat on the stairs.",
            "link": "once, at the weekend",
            "incident": (
                "other",
                "Said hello to {other} on the stairs and asked about their weekend; they talked for five minutes.",
                "Nervous, then pleased",
                "{name} expected to be brushed off and was not. Looked at what {name} said and how: a question "
                "about them worked better than small talk about the weather.",
            ),
        },
        {
            "history": "Invited someone from the group for coffee; they said yes. Nervous, and pleased.",
            "link": "the night before the coffee, from nerves",
        },
        {
            "history": "A colleague asked {name} to join them for lunch; {name} said no out of habit and regretted it.",
            "link": "that evening",
        },
    ],
}
# Mood and use over the last days, when the client had used (after "link") or not.
USE_SENTENCE = "{Substance} use on {days} {day_word} since we last met, {link}."
NO_USE_SENTENCE = "No {substance} use since we last met{instead}."
MOOD_SENTENCE = "Mood about {mood}/10 on most days."
USE_SUMMARY = "By {name}'s account: {what}."

# Techniques per problem area: the ones the work of that area leans on (IPT-DOMAIN §2, §3).
AREA_TECHNIQUES = {
    "role_dispute": ["communication_analysis", "clarification", "role_play", "decision_analysis"],
    "grief": ["encouragement_of_affect", "exploratory", "clarification", "therapeutic_relationship"],
    "role_transition": ["decision_analysis", "encouragement_of_affect", "exploratory", "role_play", "clarification"],
    "interpersonal_deficits": ["therapeutic_relationship", "role_play", "communication_analysis", "exploratory"],
}
HOMEWORK = {
    "role_dispute": [
        "Ask {dispute} for a set time to talk about money, with the words rehearsed in the session.",
        "Notice one thing {dispute} does that helps, and say so.",
        "Write down what {name} expects of {dispute}, and what {dispute} expects back.",
    ],
    "grief": [
        "Write a letter to {deceased}: what {name} misses, and what still hurts.",
        "Look through the old photos with {family}.",
        "Go to the Saturday walking group once.",
    ],
    "role_transition": [
        "Plan each weekday: one thing in the morning, one thing with someone.",
        "List what was good and bad about the old role, and about the new one.",
        "Call {support} once this week, not only when things are bad.",
    ],
    "interpersonal_deficits": [
        "Say hello to one person at the drop-in group and ask them one question.",
        "Invite someone for a coffee.",
        "Join one group activity and stay for half an hour.",
    ],
}
HOMEWORK_REVIEWS = [
    "Set last time: {homework} Done, and it went better than expected.",
    "Set last time: {homework} Partly done: started, then lost courage; looked at what got in the way.",
    "Set last time: {homework} Not done: a hard week; looked at what got in the way.",
    "Set last time: {homework} Done; {name} wants to keep it up.",
]
NEXT_SESSION_PLANS = {
    "role_dispute": [
        "Communication analysis of the next row, if there is one; role play asking for a talk.",
        "Decision analysis: what {name} wants from the relationship, and the options.",
        "Review the budget talk with {dispute}; keep to the dispute.",
    ],
    "grief": [
        "Continue reconstructing the relationship with {deceased}, the good and the bad.",
        "Plan the anniversary: who to be with, and what to do.",
        "New activities and supports: follow up the walking group.",
    ],
    "role_transition": [
        "Old role and new: what was lost, and what is possible now.",
        "Skills for the new role: practise the call to the job centre.",
        "Supports for the new role: who to call on a bad evening.",
    ],
    "interpersonal_deficits": [
        "Follow up the drop-in group; role play keeping a conversation going.",
        "Look at what happens in our own sessions when {name} expects to be turned down.",
        "Plan one social contact a week.",
    ],
}
LOW_RISK_NOTES = [
    "Passing thoughts that things will not get better after the row; no thoughts of suicide, no plan. Supports named.",
    "Tired and hopeless some evenings; denies thoughts of self-harm. Reminded of 988.",
    "Low after a bad weekend; no thoughts of suicide or self-harm. Agreed to call {support} if it gets worse.",
]
# The client with the open PHQ-9 item-9 alert: their latest note records what was found and done.
ITEM9_RISK_NOTES = (
    "PHQ-9 item 9 answered 'several days': passive thoughts of being better off dead after a bad week; no plan, no "
    "intent, no past attempts. Wrote a safety plan together; C-SSRS screener at the next contact; 988 given."
)

# ---------------------------------------------------------------------------------------------------- one-offs

# The one note where the session slid into a non-IPT technique (a supervision flag, IPT-DOMAIN §9).
FLAGGED_SESSION = (
    "Most of the session went on challenging {name}'s thought 'I ruin everything' with a thought record, evidence "
    "for and against, rather than on {focus}."
)
FLAGGED_PLAN = "Back to the interpersonal focus next time; bring this session to supervision."
# An amendment of a signed note's use (the original stays as signed).
AMENDMENT_TEXT = (
    "{name} phoned the day after the session: there was also one evening of {substance} use, at the weekend, that "
    "they had not mentioned."
)
AMENDMENT_REASON = "Correction from the client after the note was signed."

# ---------------------------------------------------------------------------------------------------- termination

TERMINATION_RAISED = (
    " Termination raised: {left} sessions left after today. {name} said the end feels {feeling}; we agreed to use "
    "the last sessions for what has changed and for the relapse-prevention plan."
)
ENDING_FEELINGS = [
    "scary, and a bit of a relief",
    "too soon",
    "all right, as long as the group goes on",
    "sad: this has been the one place to talk",
]
TERMINATION_SESSIONS = [
    "Reviewed the goals together, one by one. {name} named what has changed: {change}. Began the "
    "relapse-prevention plan from the triggers and people already recorded.",
    "Talked about ending and the feelings it brings. Went through the early warning signs and who to call; "
    "practised what to do after a lapse.",
]
LAST_SESSION = (
    "Last session. Looked back over the course and the PHQ-9 scores. {name} said what helped: '{helped}'. Booster "
    "sessions agreed; the relapse-prevention plan finalised together."
)
CHANGES = {
    "dispute": "talking with {dispute} without it turning into a row",
    "grief": "being able to talk about {deceased} without falling apart",
    "recovery": "evenings with people and without {use}",
    "job": "a routine, and a plan for work",
    "separation": "the flat feels like home",
    "deficits": "two people to call and a group every week",
}
HELPED = {
    "dispute": "Saying what I expect out loud, instead of waiting for a row",
    "grief": "Talking about them, the good and the bad",
    "recovery": "Having people around who get it",
    "job": "Seeing that I lost a role, not my worth",
    "separation": "Letting myself be sad about it",
    "deficits": "Practising here, then doing it out there",
}
TERMINATION_PLAN = "Termination: review the goals and the measures; work on the relapse-prevention plan."

# ---------------------------------------------------------------------------------------------------- closed courses

# The demo's closed courses, given in turn to the discharged clients (the last one goes to the maintenance
# client). PHQ-9 and GAD-7 totals are spread over the course; goal reviews are given to the goals in turn.
CLOSED_COURSES = [
    {
        "decision": "completed",
        "format": "individual",
        "sessions": 12,
        "phq9": [19, 15, 10, 6, 4],
        "gad7": [14, 11, 8, 5, 4],
        "goals": ["met"],
        "mood": "improving",
        "feelings": "Nervous about managing without the sessions, and proud of the work.",
        "aftercare": "Weekly peer recovery group; GP review of the antidepressant in a month.",
        "notes": "A responder: PHQ-9 19 to 4, in remission. Discharged from the program at the end of the course.",
    },
    {
        "decision": "refer",
        "format": "individual",
        "sessions": 12,
        "phq9": [17, 16, 15, 16, 15],
        "gad7": [12, 12, 11, 12, 11],
        "goals": ["partly", "not_met"],
        "mood": "flat",
        "feelings": "Disappointed that the low mood has not lifted; relieved to be trying something else.",
        "what_helped": "Having somewhere to say it out loud, even if the mood has not changed",
        "referral_to": (
            "Community mental health team: psychiatric review of the antidepressant and a course of behavioural "
            "activation. No reliable change on the PHQ-9 over twelve sessions (non-response), goals partly met."
        ),
        "aftercare": "Stays with the peer recovery group; the clinic keeps in touch until the first appointment.",
        "notes": "Non-response at closure (IPT-DOMAIN §1): offered another treatment.",
    },
    {
        "decision": "completed",
        "format": "brief",
        "sessions": 8,
        "phq9": [15, 11, 7],
        "gad7": [10, 8, 6],
        "goals": ["met", "partly"],
        "mood": "improving",
        "feelings": "Ready to stop; a bit worried about the holidays.",
        "aftercare": "Peer recovery group on Tuesdays; booster sessions as agreed.",
        "notes": "Brief IPT (8 sessions) completed; PHQ-9 15 to 7.",
    },
    {
        "decision": "completed",
        "format": "individual",
        "sessions": 14,
        "phq9": [14, 13, 11, 9, 8],
        "gad7": [9, 9, 8, 7, 7],
        "goals": ["met", "partly", "partly"],
        "mood": "slow",
        "feelings": "Sad to stop; knows who to call.",
        "aftercare": "Mutual-help meetings twice a week; the GP follows the medication.",
        "notes": "Reliable improvement (PHQ-9 14 to 8) without a full response; the client chose to end here.",
    },
]
MAINTENANCE_COURSE = {
    "decision": "maintenance",
    "format": "individual",
    "sessions": 12,
    "phq9": [16, 13, 10, 8, 7],
    "gad7": [11, 10, 8, 7, 6],
    "goals": ["met", "partly"],
    "mood": "improving",
    "feelings": "Glad the sessions carry on once a month; afraid of the low mood coming back, as it did twice before.",
    "aftercare": "Monthly maintenance IPT from {date}; peer recovery group on Tuesdays.",
    "notes": "Two earlier depressive episodes: monthly maintenance IPT (IPT-M) to prevent a recurrence.",
    "maintenance_sessions": 6,
}
MAINTENANCE_FOCUS = "Maintenance IPT: keep the gains in {focus}; mood and use reviewed at each monthly session."

# ---------------------------------------------------------------------------------------------------- safety plan

SAFETY_WARNING_SIGNS = {
    "dispute": "After a row with {dispute}: lying awake going over it",
    "grief": "Anniversaries and birthdays of {my_deceased}",
    "recovery": "Evenings alone with nothing planned",
    "job": "Days in bed with no reason to get up",
    "separation": "Late nights looking at the ex-partner's posts",
    "deficits": "Whole weekends without speaking to anyone",
}
SAFETY_PLAN = {
    "warning_signs": ["Thinking 'they would be better off without me'", "Drinking or using alone at night"],
    "internal_coping": [
        "Walk round the park, whatever the weather",
        "Shower, put music on loud",
        "Write down what happened instead of going over it",
    ],
    "safe_environment": [
        "Medication kept by {support}; only a week's supply at home",
        "Nothing to drink or use kept in the house",
    ],
    "worth_living_for": ["Seeing the people on this plan again", "Getting back to work"],
}
SAFETY_DISTRACTION_PLACE = ("Peer recovery group", "Tuesday evenings at {site}")
