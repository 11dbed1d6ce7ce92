"""What in a post makes a disclaimer required: a testimonial, a before-and-after mention, an offer.

Each is recognised by its structure, not by one word order: a testimonial is a quotation with an attribution
to a patient, whether the attribution comes first ("Maria told us: ..."), last ("...," says a patient;
"... — Maria, 42") or on its own line after the quotation; or a named patient's experience ("Sarah, a
34-year-old teacher, ..."; "Ashley's 40-pound weight loss"). A clinician's quotation ("...," says Dr. Lee)
is not a testimonial. Pure functions of a block's text (and the block before it).
"""

from __future__ import annotations

import itertools
import re

from checks import disclaimer_accounts

_OPEN = "“\"‘"
_CLOSE = "”\"’"
_QUOTE = re.compile(r"[“\"‘][^“”\"]{12,600}?[”\"’]")  # a quotation of a few words at least
_VERB = (r"(?:says|said|shares|shared|explains|explained|writes|wrote|tells us|told us|recalls|recalled|adds|"
         r"added|continues|continued|remembers|remarked|reports|reported|raves|raved|exclaims|exclaimed)")
# who speaks: a patient, a client, a pronoun or a name (not a clinician: checked apart)
_SPEAKER = (r"(?:(?:one|some|many|several|a few|two|three) of (?:our|my|the) (?:patients|clients|customers)"
            r"|(?:(?:one|a|an|our|another|this|the|happy|satisfied)\s+)*(?:patient|client|customer|mom|mother|"
            r"bride|reader|member)s?(?:\s+of\s+ours)?|she|he|they|[A-Z][a-z]+(?:\s+[A-Z]\.?)?(?:\s+[A-Z][a-z]+)?)")
_CLINICIAN = re.compile(r"\b(?:dr|doctor|nurse|np|fnp|rn|md|pa-c|dermatologist|surgeon|physician|professor|prof|"
                        r"expert|injector|founder|director|pharmacist|researchers?|author|fda|cdc|nih|agency|study|studies|report|"
                        r"manufacturer|guidelines?|association|society|academy|journal|according)\b\.?", re.I)
_AFTER_QUOTE = re.compile(r"[”\"’]\s*,?\s*(?:" + _VERB + r"\s+(?P<s1>" + _SPEAKER + r")|(?P<s2>" + _SPEAKER +
                          r")\s+" + _VERB + r")\b")
_BEFORE_QUOTE = re.compile(r"(?P<s1>" + _SPEAKER + r")\b(?:(?!\b(?:that|which)\b)[^.“\"!?]){0,60}?\b" + _VERB +
                           r"\b[^“\"]{0,40}?[:,]\s*[“\"‘]")
_DASH_NAME = re.compile(r"(?:^|[”\"’.!?]\s*)[—–-]{1,2}\s*(?P<s1>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)(?:,\s*\w+)?")
# a name, not a pronoun ("Everyone's face is different" is no one's story)
_NAME_S = (r"\b(?!(?:Everyone|Everybody|Someone|Somebody|Anyone|Anybody|Nobody|One|Today|Tomorrow|Yesterday|"
           r"Patient|Client|Women|Men|People)['’])[A-Z][a-z]+")
# A named patient's experience, in its forms. Each form comes with strings one of which any match contains (lower
# case): most blocks hold none of them, and skipping the form there keeps the check cheap (no form here has a
# literal the prefilter could find: most start with a capital letter).
_FORMS = (
    (("patient", "client"), r"\b(?:[Oo]ur|[Mm]y|[Aa]|[Oo]ne|[Aa]nother)\s+(?:patient|client)s?,?\s+[A-Z][a-z]+\b"),
    # a patient's account relayed: "This patient told me that ...", "One client wrote to us ..."
    (("patient", "client"), r"\b(?:[Tt]his|[Oo]ne|[Aa]|[Mm]y|[Oo]ur|[Aa]nother)\s+(?:patient|client)\s+(?:told|tells|"
                            r"wrote|said|says|shared|explained)\s+(?:me|us|to\s+(?:me|us))\b"),
    (("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
     r"\b[A-Z][a-z]+,\s+(?:a|an)?\s*\d{2}(?:-year-old)?\b"),  # Sarah, a 34-year-old / Maria, 42
    (("'s", "’s"), _NAME_S + r"(?:\s+[A-Z][a-z]+)?['’]s\s+(?:[\w-]+\s+){0,3}?(?:story|journey|experience|"
                   r"results|transformation|weight loss)\b"),  # Ashley's remarkable weight loss
    (("ms", "mr", "miss"), r"\b(?:Ms|Mrs|Mr|Miss)\.?\s+[A-Z][a-z]+\b[^.]{0,60}\b(?:lost|experienced|saw|noticed|"
                           r"achieved|gained)\b"),
    (("stor", "spotlight", "testimonial", "review"),
     r"\b(?:patient|client|success)\s+(?:stor(?:y|ies)|spotlight|testimonials?|reviews?)\b"),
    (("clinic", "office", "practice"),
     r"\b(?:saw|treated|met|see|treat)\s+[A-Z][a-z]+\*?\s+(?:in|at)\s+(?:my|our)\s+(?:clinic|office|practice)\b"),
    # the writer tells their own patients' stories: "two real stories from my own patients"
    # (told, not only mentioned: "we love hearing stories from our patients" is none)
    (("stor",), r"\b(?:[Rr]eal\s+|[Tt]rue\s+|(?:share|sharing|tell|telling|[Hh]ere\s+are|[Tt]hese\s+are|[Hh]ere\s+is|"
                r"[Hh]ere['’]s)\s+(?:[\w-]+\s+){0,3}?)stor(?:y|ies)\s+(?:from|of|about)\s+"
                r"(?:(?:one|two|three|some|a\s+few|several)\s+of\s+)?(?:my|our)\s+(?:own\s+|real\s+|actual\s+)?(?:patients?|clients?)\b"),
    # a patient's story begun by name or pronoun: "Lena came to us after years of melasma"
    (("came",), r"\b(?!(?:This|That|What|Which|Who|Everyone|Patients|People|Many|Most|Some|They)\b)[A-Z][a-z]{2,}\s+"
                r"(?:first\s+)?came\s+to\s+(?:us|me|see\s+(?:us|me)|our\s+(?:clinic|office|practice|spa))\b"),
    # a named person's results: "Emma's scars got better"
    (("'s", "’s"), _NAME_S + r"['’]s\s+(?:skin|scars?|lips|face|hair|wrinkles|lines|pores|smile|teeth|acne|"
                   r"cellulite)\s+(?:got|looked|looks|were|was|is|are|became|improved|cleared|faded)\b"),
)
_NAMED_FORMS = tuple((needles, re.compile(pattern)) for needles, pattern in _FORMS)
_BEFORE_AFTER = re.compile(
    r"\bbefore(?:\s*[-/]\s*|\s+)(?:and|&|n)?(?:\s*[-/]?\s*)after\b[”\"’]?"
    r"(?=(?:\s+[\w-]+){0,2}?\s+(?:photos?|pictures?|pics|images?|results?|gallery|galleries|shots?|"
    r"comparisons?|transformations?|stor(?:y|ies)|journeys?|cases?|case\s+stud(?:y|ies)|videos?|albums?|"
    r"portfolios?|looks?|differences?|examples?|snapshots?|selfies?|photographs?|views?)\b|\s*[:)]|\s*$)"
    r"|\bbefore/after\b|\bbefore[- ](?:and|&|n)[- ]afters\b"
    r"|\bpre[- ]?\s*(?:and|&|/)\s*post[- ]?(?:treatment|op(?:erative)?|procedure|surgery)?\s+(?:photos?|"
    r"photographs?|pictures?|pics|images?)\b"
    r"|\b(?:patient|results?|before|smile|transformation)\s+(?:photo\s+)?galler(?:y|ies)\b"
    r"|\b(?:photos?|pictures?|images?)\s+of\s+(?:real|actual|our)\s+(?:patients|clients)\b"
    r"|\bside[- ]by[- ]side\s+(?:photos?|photographs?|pictures?|pics|images?|comparisons?)\b", re.I)
_OFFER = re.compile(
    r"\b\d{1,2}\s?%\s+off\b|\$\s?\d+(?:\.\d+)?\s+off\b|\bsave\s+(?:\$|\d+\s?%|up\s+to)"
    r"|\b(?:special|introductory|limited[- ]time|holiday|seasonal|new[- ](?:patient|client)|exclusive|launch|"
    r"grand[- ]opening|flash)\s+(?:offers?|prices?|pricing|specials?|deals?|discounts?|rates?|promotions?)\b"
    r"|\bdiscounted\b|\bdiscounts?\s+(?:on|for|of)\b|(?<![\w-])free\s+(?:consultations?|treatments?|sessions?|syringes?|"
    r"units?|add-ons?|facials?)\b|\bpromo(?:tion(?:al)?)?\s+codes?\b|\bbogo\b|\bbuy\s+one,?\s+get\s+one\b"
    r"|\boffer\s+(?:ends|expires|valid)\b|\breceive\s+(?:the\s+)?savings\b|\bmembers?\s+(?:save|savings|pricing)\b"
    r"|\bcomplimentary\s+(?:consultations?|treatments?|sessions?|add-ons?|facials?|upgrades?)\b"
    r"|\bconsult(?:ation)?s?\s+(?:is|are)\s+(?:always\s+)?(?:complimentary|free)\b|\bno\s+consult(?:ation)?\s+fee\b"
    r"|\b\d{1,2}\s?%\s+(?:discount|savings)\b|\$\s?\d+\s+(?:discount|savings|credit|gift\s+card)\b"
    r"|\brefer\s+a\s+friend\b|\breferral\s+(?:bonus|credits?|discounts?|rewards?|program)\b"
    r"|\bbuy\s+(?:\d+|one|two|three)\s*,?\s+get\b|\b(?:gift|free)\s+with\s+(?:any\s+)?purchase\b"
    r"|\b(?:package|bundle)\s+(?:deals?|discounts?|savings|pricing)\b|\bon\s+sale\b",
    re.I)


def testimonial(text: str, previous: str = "", in_blockquote: bool = False) -> bool:
    """A patient's quoted words with an attribution in any order, or a named patient's experience."""
    quoted = any(mark in text for mark in _OPEN + _CLOSE)
    for pattern in (_AFTER_QUOTE, _BEFORE_QUOTE) if quoted else ():
        for match in pattern.finditer(text):
            if not _CLINICIAN.search(match.group(0)) and not _clinician_near(text, match.end()):
                return True
    lower = text.lower()
    if any(any(needle in lower for needle in needles) and form.search(text) for needles, form in _NAMED_FORMS):
        return True
    # by kind: a first-person treatment account, a patient's results, a quoted experience (not a clinician's)
    if disclaimer_accounts.first_person_account(text) or disclaimer_accounts.patient_results(text):
        return True
    words = disclaimer_accounts.quoted_experience(text)
    if words is not None and not _clinician_around(text, words):
        return True
    # "— Maria, 42" after a quotation (in the same block, or a line of its own under a quoted block)
    quoted = bool(_QUOTE.search(text)) or in_blockquote or previous.rstrip().endswith(tuple(_CLOSE))
    if quoted:
        for match in _DASH_NAME.finditer(text):
            if (match.start() == 0 or _QUOTE.search(text[: match.start() + 1])) and \
                    not _CLINICIAN.search(match.group(0)):
                return True
    # a quotation set apart as a quote block, in quotation marks: a patient's words, unless a clinician's
    stripped = text.strip()
    return in_blockquote and stripped[:1] in _OPEN and _QUOTE.search(stripped) is not None and \
        not _CLINICIAN.search(stripped[-60:])


def _clinician_around(text: str, words: str) -> bool:
    """A clinician named just before or after a quotation: their words, not a patient's."""
    start = text.find(words)
    return bool(_CLINICIAN.search(text[max(0, start - 80) : start]) or
                _CLINICIAN.search(text[start + len(words) : start + len(words) + 80]))


def _clinician_near(text: str, end: int) -> bool:
    """'..., says Dr. Lee': the word after the matched speaker names a clinician."""
    return bool(_CLINICIAN.match(text[end : end + 12].lstrip(" ,")))


# a photo caption: "Forehead – Before BOTOX®", "Before", "After 3 sessions" (a short line, no sentence)
_CAPTION = re.compile(r"^\s*(?:(?P<label>[\w ]{1,30}?)\s*[–—:|-]\s*)?(?P<when>before|after)\b"
                      r"(?P<what>[^.!?,;\n]{0,30})$", re.I)


def before_after(text: str, previous: str = "") -> bool:
    """A mention of before-and-after photos or results (not "before and after the treatment"), or a pair of
    photo captions on consecutive lines or blocks: "Forehead – Before BOTOX®" then "Forehead – After BOTOX®"."""
    if _BEFORE_AFTER.search(text) is not None:
        return True
    if "after" not in text.lower():
        return False
    lines = [*previous.splitlines()[-1:], *text.splitlines()]
    captions = [_CAPTION.match(line) for line in lines]
    return any(first and second and first["when"].lower() == "before" and second["when"].lower() == "after"
               and _caption_key(first) == _caption_key(second) for first, second in itertools.pairwise(captions))


def _caption_key(caption: re.Match[str]) -> tuple[str, str]:
    """What a caption shows, whatever its marks: ("forehead", "botox")."""
    label = (caption["label"] or "").strip().lower()
    return label, re.sub(r"[^\w ]", "", caption["what"]).strip().lower()


# advice about what other providers offer ("They should always offer a free consultation", "ask if they offer
# packages at a discounted price"): no offer of the post's own
_ADVICE = re.compile(
    r"\b(?:they|providers?|clinics?|practices?|offices?|spas?|injectors?|surgeons?|places?|(?:a|the|any|most|many|"
    r"some|other|good|reputable)\s+(?:[\w-]+\s+)?(?:providers?|clinics?|practices?|offices?|spas?|injectors?|surgeons?|"
    r"places?))\s+(?:should|must|ought\s+to|often|usually|typically|generally|may|might|will\s+often|tend\s+to)\s+"
    r"(?:always\s+|also\s+|still\s+)?(?:offer|provide|give|include|run|have)\b"
    # what other providers do in general: "Many med spas offer free initial consultations"
    r"|\b(?:many|most|some|other|few)\s+(?:[\w-]+\s+)?(?:providers|clinics|practices|offices|spas|medspas|injectors|"
    r"surgeons|places|dermatologists)\s+(?:now\s+|also\s+|still\s+)?(?:offer|provide|give|run|have)\b"
    r"|\bask\s+(?:them\s+)?(?:if|whether)\s+(?:they|the\s+(?:[\w-]+\s+)?(?:provider|clinic|practice|office|spa))\b"
    r"|\blook\s+for\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:provider|clinic|practice|office|spa|injector)\s+(?:that|who)\s+"
    r"offers?\b", re.I)
_OURS = re.compile(r"\b(?:we|our|us)\b", re.I)


def offer(text: str) -> bool:
    """An offer: a discount, % or $ off, a special price, a free service, a promotion code (not advice about what
    other providers should offer)."""
    if _OFFER.search(text) is None:
        return False
    return any(_OFFER.search(s) and (not _ADVICE.search(s) or _OURS.search(s))
               for s in disclaimer_accounts.sentences(text))
