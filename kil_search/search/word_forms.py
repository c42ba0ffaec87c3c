"""English words whose forms a stemmer cannot join: "began" is "begin", "fought" is "fight", "men" is "man".

Porter's stemmer strips regular endings only, so a question asking when something "began" found only
pages saying "begin" through their shared letters, and never "fought" for "fight". This table holds
the irregular verbs and plurals an ordinary English text uses (function words such as "was" and
"had" are left out: queries drop them). Ranking counts a form of a word of a query of three or more
words as one of its variants (matching.Evaluator.variants), at half weight and never as the word itself.
"""

from __future__ import annotations

from functools import lru_cache

from .glossary import stems

# Each line: one word's forms (base, past, past participle; singular, plural), written out in full.
_FORMS = """
arise arose arisen; awake awoke awoken; bear bore borne born; beat beaten; begin began begun; bend bent;
bind bound; bite bit bitten; bleed bled; blow blew blown; break broke broken; breed bred; bring brought;
become became; build built; burn burnt; buy bought; catch caught; choose chose chosen; cling clung; come came;
creep crept; deal dealt; dig dug; draw drew drawn; dream dreamt; drink drank drunk; drive drove driven;
eat ate eaten; fall fell fallen; feed fed; feel felt; fight fought; find found; flee fled; fly flew flown;
forbid forbade forbidden; forget forgot forgotten; forgive forgave forgiven; freeze froze frozen;
give gave given; go went gone; grind ground; grow grew grown; hang hung; hear heard; hide hid hidden;
hold held; keep kept; know knew known; lay laid; lead led; leap leapt; leave left; lend lent; lie lay lain;
lose lost; make made; mean meant; meet met; overcome overcame; overtake overtook overtaken;
overthrow overthrew overthrown; pay paid; ride rode ridden; ring rang rung; rise rose risen; run ran;
say said; see saw seen; seek sought; sell sold; send sent; shake shook shaken; shine shone; shoot shot;
show shown; shrink shrank shrunk; sing sang sung; sink sank sunk; sit sat; slay slew slain; sleep slept;
slide slid; speak spoke spoken; spend spent; spin spun; spring sprang sprung; stand stood; steal stole stolen;
stick stuck; sting stung; strike struck stricken; strive strove striven; swear swore sworn; sweep swept;
swim swam swum; swing swung; take took taken; teach taught; tear tore torn; tell told; think thought;
throw threw thrown; tread trod trodden; undergo underwent undergone; understand understood;
undertake undertook undertaken; uphold upheld; wake woke woken; wear wore worn; weave wove woven;
weep wept; win won; withdraw withdrew withdrawn; write wrote written;
child children; man men; woman women; mouse mice; foot feet; tooth teeth; goose geese; person people
"""


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    """Return each analysed form with the other analysed forms of its word."""
    other: dict[str, set[str]] = {}
    for line in _FORMS.replace("\n", " ").split(";"):
        forms = {stem for word in line.split() for stem in stems(word)}
        for form in forms:
            other.setdefault(form, set()).update(forms - {form})
    return {form: tuple(sorted(others)) for form, others in other.items() if others}


def other_forms(word: str) -> tuple[str, ...]:
    """Return the analysed forms a stemmer does not join to this analysed word ("began" for "begin")."""
    return _groups().get(word, ())
