"""Phrase lists for the language rules, per base language: data, not code.

Each list is short on purpose: an entry belongs here only when it is wrong in
nearly every help-center sentence that uses it, so that a finding is worth a
writer's time. Teams add their own through the rule options (`terms`,
`jargon`, `placeholders`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ABBREVIATIONS",
    "DISCOURAGED_TERMS",
    "JARGON",
    "LEAVE_OUT",
    "PASSIVE",
    "PLACEHOLDER_MARKERS",
    "PLACEHOLDER_PHRASES",
    "REPEATED_PARTICLES",
    "REPEATED_WORD_EXCEPTIONS",
    "Passive",
    "Term",
]

LEAVE_OUT = ""  # a suggestion that means: delete the phrase, say the thing directly


@dataclass(frozen=True)
class Term:
    """Phrases (whole words; in any case when written in lower case) and what to write instead."""

    phrases: tuple[str, ...]
    suggestion: str  # LEAVE_OUT: drop the phrase
    why: str = ""


# Words before a full stop that do not end a sentence, lower case, with the dot.
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "e.g.",
            "i.e.",
            "etc.",
            "vs.",
            "approx.",
            "no.",
            "nos.",
            "fig.",
            "mr.",
            "mrs.",
            "ms.",
            "dr.",
            "inc.",
            "ltd.",
            "co.",
            "corp.",
            "st.",
            "jan.",
            "feb.",
            "aug.",
            "sept.",
            "oct.",
            "nov.",
            "dec.",
            "min.",
            "max.",
            "incl.",
            "excl.",
            "ref.",
            "ver.",
            "vol.",
            "pp.",
            "cf.",
        }
    ),
    "de": frozenset(
        {
            "z.",
            "b.",
            "z.b.",
            "d.",
            "h.",
            "d.h.",
            "u.",
            "a.",
            "u.a.",
            "bzw.",
            "ca.",
            "nr.",
            "usw.",
            "vgl.",
            "ggf.",
            "evtl.",
            "inkl.",
            "max.",
            "min.",
            "s.",
            "sog.",
            "bspw.",
            "etc.",
            "dr.",
            "abs.",
            "str.",
            "zzgl.",
            "bzgl.",
        }
    ),
    "sv": frozenset(
        {
            "t.ex.",
            "bl.a.",
            "dvs.",
            "m.m.",
            "ca.",
            "s.k.",
            "osv.",
            "resp.",
            "nr.",
            "t.",
            "ex.",
            "bl.",
            "a.",
            "s.",
            "k.",
            "o.s.v.",
            "m.fl.",
            "inkl.",
            "exkl.",
            "jfr.",
            "fr.o.m.",
            "t.o.m.",
        }
    ),
    "da": frozenset({"f.eks.", "bl.a.", "dvs.", "ca.", "nr.", "osv.", "inkl.", "evt.", "mht."}),
    "nb": frozenset({"f.eks.", "bl.a.", "dvs.", "ca.", "nr.", "osv.", "inkl.", "evt.", "mht."}),
    "fr": frozenset({"p.", "ex.", "p.ex.", "env.", "etc.", "n°.", "cf.", "m.", "mme."}),
    "es": frozenset({"p.", "ej.", "etc.", "sr.", "sra.", "núm.", "aprox."}),
    "nl": frozenset({"bijv.", "d.w.z.", "o.a.", "enz.", "nr.", "ca.", "evt."}),
}

# Markers of unfinished text, matched case-sensitively as whole words: `todo`
# and `tk` are ordinary words in some sentences, `TODO` and `TK` are not.
# `XXX` also stands for a value in example messages ("cluster XXX"), so it counts
# only as a marker: at the start of a line or before a colon.
PLACEHOLDER_MARKERS: tuple[str, ...] = ("TODO", "FIXME", "TBD", "TK")

# Phrases of template or dummy text, matched in any case.
PLACEHOLDER_PHRASES: tuple[str, ...] = (
    "lorem ipsum",
    "dolor sit amet",
    "insert link here",
    "insert image here",
    "insert screenshot here",
    "insert text here",
    "add link here",
    "link goes here",
    "text goes here",
)

_SIMPLE = "what is simple for the writer may not be for a reader who is stuck"

# Plain-language replacements for help content, per base language.
DISCOURAGED_TERMS: dict[str, tuple[Term, ...]] = {
    "en": (
        Term(("utilize", "utilise"), "use", "a long word for a short one"),
        Term(("utilizes", "utilises"), "uses", "a long word for a short one"),
        Term(("utilized", "utilised"), "used", "a long word for a short one"),
        Term(("utilizing", "utilising"), "using", "a long word for a short one"),
        Term(("in order to",), "to", "wordy"),
        Term(("prior to",), "before", "wordy"),
        Term(("please note",), LEAVE_OUT, "say the thing itself"),
        Term(("simply",), LEAVE_OUT, _SIMPLE),
        Term(("just need to",), "need to", _SIMPLE),
        Term(("just have to",), "have to", _SIMPLE),
        Term(("can just",), "can", _SIMPLE),
        Term(("just click",), "click", _SIMPLE),
        Term(("just select",), "select", _SIMPLE),
        Term(("just choose",), "choose", _SIMPLE),
        Term(("just enter",), "enter", _SIMPLE),
        Term(("just go to",), "go to", _SIMPLE),
        Term(("just make sure",), "make sure", _SIMPLE),
        Term(("just sign in",), "sign in", _SIMPLE),
        Term(("e-mail", "e-mails"), "email", "the common spelling"),
    ),
    "sv": (
        # Klarspråk: the Swedish Language Council's plain-language advice.
        Term(("erhålla", "erhåller", "erhöll", "erhållit"), "få", "klarspråk"),
        Term(("tillhandahålla", "tillhandahåller"), "ge, erbjuda", "klarspråk"),
        Term(("i syfte att",), "för att", "klarspråk"),
        Term(("därest",), "om", "klarspråk"),
        Term(("emellertid",), "men", "klarspråk"),
        Term(("vänligen",), LEAVE_OUT, "klarspråk: säg vad läsaren ska göra"),
    ),
    "de": (
        # Amtsdeutsch that plain-German guides replace.
        Term(("zwecks",), "für, zum", "Amtsdeutsch"),
        Term(("seitens",), "von", "Amtsdeutsch"),
        Term(("mittels",), "mit", "Amtsdeutsch"),
        Term(("bitte beachten Sie",), LEAVE_OUT, "sagen Sie es direkt"),
    ),
}

# Business and legal jargon that help content does without.
JARGON: dict[str, tuple[Term, ...]] = {
    "en": (
        Term(("leverage", "leverages", "leveraging", "leveraged"), "use"),
        Term(("synergy", "synergies"), LEAVE_OUT),
        Term(("paradigm", "paradigm shift"), LEAVE_OUT),
        Term(("going forward",), "from now on"),
        Term(
            (
                "best-of-breed",
                "best of breed",
                "world-class",
                "cutting-edge",
                "game-changer",
                "game-changing",
                "next-generation",
            ),
            LEAVE_OUT,
        ),
        Term(("circle back", "touch base", "reach out"), "contact"),
        Term(("low-hanging fruit", "move the needle", "deep dive", "value-add"), LEAVE_OUT),
        Term(("holistic", "holistically"), LEAVE_OUT),
        Term(("seamless", "seamlessly"), LEAVE_OUT),
        Term(("aforementioned",), "this, these"),
        Term(
            (
                "herein",
                "hereby",
                "heretofore",
                "henceforth",
                "hereunder",
                "therein",
                "thereof",
                "whereby",
            ),
            LEAVE_OUT,
        ),
        Term(("in lieu of",), "instead of"),
        Term(("pursuant to",), "under"),
        Term(("inter alia",), "among other things"),
        Term(("in the event that",), "if"),
        Term(("with regard to", "with regards to", "in regard to"), "about"),
    ),
}

# Words that grammatical sentences double: "that that", "had had"; German
# relative pronoun then article ("die Dateien, die die Seite lädt") and
# "wenn Sie sie brauchen"; French "nous nous sommes"; Dutch "dat dat".
REPEATED_WORD_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "default": (),
    "en": ("that", "had"),
    "de": ("der", "die", "das", "den", "dem", "des", "sie"),
    "fr": ("nous", "vous"),
    "nl": ("die", "dat"),
}


# A particle doubled after its verb is grammatical: "the toggle is turned on on
# the card", "sign in in the browser". Keyed by the doubled word: the verbs.
REPEATED_PARTICLES: dict[str, dict[str, frozenset[str]]] = {
    "en": {
        "on": frozenset(
            {
                "turn",
                "turns",
                "turned",
                "turning",
                "switch",
                "switches",
                "switched",
                "switching",
                "log",
                "logs",
                "logged",
                "logging",
                "carry",
                "carried",
                "build",
                "builds",
                "built",
                "rely",
                "relies",
                "relied",
                "depend",
                "depends",
                "depended",
                "click",
                "clicked",
                "tap",
                "tapped",
            }
        ),
        "in": frozenset(
            {
                "sign",
                "signs",
                "signed",
                "signing",
                "log",
                "logs",
                "logged",
                "logging",
                "check",
                "checks",
                "checked",
                "checking",
                "plug",
                "plugged",
                "fill",
                "filled",
                "opt",
                "opted",
                "zoom",
                "zoomed",
                "built",
                "type",
                "typed",
                "key",
                "keyed",
                "put",
                "phase",
                "phased",
            }
        ),
        "up": frozenset({"set", "sets", "setting", "back", "backed", "sign", "signed"}),
        "out": frozenset(
            {
                "sign",
                "signed",
                "log",
                "logged",
                "check",
                "checked",
                "opt",
                "opted",
                "try",
                "tried",
                "carry",
                "carried",
                "roll",
                "rolled",
            }
        ),
    },
}


@dataclass(frozen=True)
class Passive:
    """A language's passive voice: an auxiliary, then a past participle."""

    auxiliaries: tuple[str, ...]
    participle_suffixes: tuple[str, ...]
    irregular: frozenset[str]
    not_participles: frozenset[str]  # words with a participle's ending that are not one
    between: tuple[str, ...] = ()  # words allowed between the two (not, also, adverbs in -ly)


PASSIVE: dict[str, Passive] = {
    "en": Passive(
        auxiliaries=(
            "am",
            "is",
            "are",
            "was",
            "were",
            "be",
            "been",
            "being",
            "isn't",
            "aren't",
            "wasn't",
            "weren't",
        ),
        participle_suffixes=("ed",),
        irregular=frozenset(
            {
                "awoken",
                "been",
                "begun",
                "bent",
                "bitten",
                "blown",
                "born",
                "borne",
                "bought",
                "bound",
                "broken",
                "brought",
                "built",
                "burnt",
                "caught",
                "chosen",
                "dealt",
                "done",
                "drawn",
                "driven",
                "eaten",
                "fallen",
                "fed",
                "felt",
                "forbidden",
                "forgiven",
                "forgotten",
                "found",
                "frozen",
                "given",
                "gone",
                "gotten",
                "ground",
                "grown",
                "heard",
                "held",
                "hidden",
                "hung",
                "kept",
                "known",
                "laid",
                "led",
                "left",
                "lent",
                "lost",
                "made",
                "meant",
                "met",
                "mistaken",
                "overridden",
                "overwritten",
                "paid",
                "proven",
                "rebuilt",
                "rewritten",
                "ridden",
                "risen",
                "run",
                "said",
                "seen",
                "sent",
                "set",
                "sewn",
                "shaken",
                "shown",
                "shut",
                "sold",
                "sought",
                "spent",
                "spoken",
                "spread",
                "stolen",
                "stood",
                "struck",
                "stuck",
                "sung",
                "sworn",
                "taken",
                "taught",
                "thrown",
                "told",
                "torn",
                "understood",
                "undone",
                "upheld",
                "withdrawn",
                "withheld",
                "won",
                "worn",
                "written",
                "wound",
            }
        ),
        not_participles=frozenset(
            {
                "bed",
                "red",
                "shed",
                "sled",
                "wed",
                "speed",
                "need",
                "feed",
                "seed",
                "breed",
                "greed",
                "deed",
                "weed",
                "hundred",
                "naked",
                "wicked",
                "sacred",
                "kindred",
                "rugged",
                "crooked",
                "ragged",
                "embed",
                "shred",
                "exceed",
                "proceed",
                "succeed",
                # adjectives after "be" more often than passives
                "unlimited",
                "pleased",
                "interested",
                "excited",
                "concerned",
                "supposed",
                "advanced",
                "detailed",
                "experienced",
                "qualified",
                "complicated",
                "tired",
            }
        ),
        between=(
            "not",
            "also",
            "still",
            "only",
            "often",
            "always",
            "never",
            "then",
            "now",
            "usually",
            "already",
            "typically",
            "automatically",
        ),
    ),
}
