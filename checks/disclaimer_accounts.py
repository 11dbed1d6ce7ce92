"""A person's own treatment experience in a post, by kind (what makes the results-vary disclaimer required
besides a quotation with an attribution): the writer's first-person account in any tense and verb, a named or
unnamed patient's results, a quotation that tells of someone's own experience with or without an attribution.

Read sentence by sentence. What is not an account: a question ("Will my skin look red?", an FAQ in the
reader's voice), a clinician speaking of their patients or their work ("I recommend ...", "my patients ..."),
a hypothesis ("If I had ..."), a study's participants ("Patients lost 15 % ..."). Pure functions of text.
"""

from __future__ import annotations

import re

# no sentence ends after a title ("I let Dr. Lee remove it" is one sentence)
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)[”\"’]?\s+"
                       r"(?=[“\"‘(]?[A-Z0-9])|\n+")
_ME = r"\bI(?:['’](?:ve|m|d))?"
# what a person has done to them: a product, a treatment, a visit
_TREATMENT = (r"(?:botox|dysport|xeomin|jeuveau|daxxify|fillers?|juvederm|restylane|sculptra|kybella|injections?|"
              r"injectables?|shots?|treatments?|therapy|procedures?|sessions?|surgery|prp|laser|microneedling|"
              r"peels?|facials?|patch|pills?|medications?|semaglutide|ozempic|wegovy|tirzepatide|mounjaro|"
              r"zepbound|hrt|hormones?|testosterone|estrogen|progesterone|consultation|appointment|tummy tuck|"
              r"lipo(?:suction)?|implants?|coolsculpting|hydrafacial|tattoo removal|transplant|dose|doses|"
              r"needles?|retinoid|tretinoin|accutane|roaccutane|face\s*lift|facelift|neck\s+lift|rhinoplasty|nose\s+job|"
              r"blepharoplasty|eyelid\s+surgery|breast\s+(?:augmentation|lift|reduction)|mohs|biopsy|excision)\b")
# "I had my first Botox", "I've booked a consultation", "I put on a patch", "I started Wegovy", any tense
_UNDERGO = re.compile(
    _ME + r"\s+(?:(?:have|had|finally|recently|just|then|also|first|eventually|actually|already|even|"
    r"been|was|am|did)\s+){0,2}(?:had|got|get|gotten|getting|tried|try|trying|received|receive|underwent|"
    r"undergone|undergoing|started|start|starting|began|begin|begun|put\s+on|took|taking|booked|book|"
    r"scheduled|went\s+(?:in\s+)?for|go\s+for|signed\s+up\s+for|chose|opted\s+for|on|using)\s+"
    r"(?:[\w'’-]+\s+){0,4}?" + _TREATMENT, re.I)
_DECIDE = re.compile(_ME + r"\s+(?:finally\s+)?(?:decided|chose|made\s+the\s+decision|took\s+the\s+plunge)\b"
                     r"[^.]{0,80}?\b(?:(?:try|get|have|book|start|do|give)\s+(?:[\w'’-]+\s+){0,3}?" + _TREATMENT +
                     r"|(?:give|gave)\s+[\w'’-]+(?:\s+[\w'’-]+)?\s+a\s+(?:shot|try|go)\b)",
                     re.I)
# "I ... my first Botox treatment", "I looked into PRP therapy", "Before having my appointment, I ..."
_MY_TREATMENT = re.compile(
    r"\bI\b[^.]{0,80}?\bmy\s+(?:[\w-]+\s+){0,3}?(?:botox|fillers?|treatments?|injections?|procedures?|"
    r"sessions?|surgery|results?)\b"
    r"|\bI\s+(?:had|got|tried|received|underwent|looked\s+into|went\s+(?:in\s+)?for|booked|decided\s+to\s+"
    r"(?:try|get|have|book|give))\b[^.]{0,60}?\b(?:botox|fillers?|injections?|treatments?|therapy|"
    r"procedures?|surgery|sessions?|PRP|laser|implants?|microneedling|peels?|facials?)\b"
    r"|\b(?:[Bb]efore|[Aa]fter|[Aa]t|[Dd]uring)\s+(?:having\s+)?my\s+(?:first\s+|second\s+|next\s+|last\s+)?"
    r"(?:appointment|treatment|session|consultation|procedure)\b[^.]{0,40}?\bI\b"
    r"|" + _ME + r"\s+(?:finally\s+|then\s+|also\s+)?(?:gave|give|giving)\s+(?:[\w'’-]+\s+){0,3}?a\s+"
    r"(?:try|shot|go|whirl)\b")
_BODY = (r"(?:skin|hair|hairline|face|nose|breasts?|eyelids?|lips|forehead|cheeks|jawline|neck|chin|eyes|scars?|"
         r"wrinkles|lines|acne|"
         r"pores|complexion|body|belly|stomach|weight|energy|sleep|mood|libido|symptoms|hot flashes|joints?|"
         r"knees?|pain|tattoo|teeth|smile|confidence|sugars?|blood\s+sugar|a1c|numbers|labs|blood\s+pressure|"
         r"cholesterol)")
_BETTER = (r"(?:better|best|smoother|tighter|firmer|younger|brighter|clearer|thicker|fuller|softer|plumper|"
           r"healthier|amazing|great|fantastic|incredible|red|redder|swollen|sore|tender|different|improved|"
           r"glowing|radiant|flawless|gone|lighter|faded|back)")
# after is/was/are/were: a change, never a plain state ("my hair is noticeably thicker", not "my hair is red")
_MORE = (r"(?:better|smoother|tighter|firmer|younger|brighter|clearer|thicker|fuller|softer|plumper|healthier|"
         r"gone|improved|transformed)")
# "my skin's texture improved dramatically", "my face looks the best it has ever looked"
_MY_BODY = re.compile(
    r"\bmy\s+(?:own\s+)?(?:[\w-]+\s+)?" + _BODY + r"(?:['’]s\s+[\w-]+)?\s+(?:(?:has|have|had|was|were|is|are|really|"
    r"finally|already|definitely|visibly|noticeably|truly)\s+){0,2}(?:improved|cleared(?:\s+up)?|faded|healed|"
    r"transformed|changed|grew\s+back|glowed|tightened|stabili[sz]ed|normali[sz]ed|(?:went|came)\s+down|"
    r"disappeared|vanished|(?:look|looks|looked|felt|feels|feel|appeared|appears|"
    r"seemed|seems|became|got|gotten|been|went)\s+(?:[\w'’-]+\s+){0,3}?" + _BETTER + r")\b", re.I)
_MY_BODY_MORE = re.compile(
    r"\bmy\s+(?:own\s+)?(?:[\w-]+\s+)?" + _BODY + r"(?:['’]s\s+[\w-]+)?\s+(?:is|are|was|were|has\s+been|have\s+been)\s+"
    r"(?:(?:so|much|far|noticeably|visibly|definitely|really|way|now|already|finally|a\s+lot)\s+){0,2}" + _MORE + r"\b",
    re.I)
# "I felt fantastic", "I noticed a difference", "I could see results"
_I_FELT = re.compile(
    _ME + r"\s+(?:(?:have|had|finally|really|immediately|already|instantly|actually|definitely|could|"
    r"started\s+to|began\s+to)\s+){0,2}(?:(?:felt|feel|feeling|look|looked)\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?:fantastic|great|amazing|better|younger|balanced|energ\w*|like\s+(?:myself|a\s+new)|relief|refreshed|"
    r"confident|incredible)|(?:noticed|notice|saw)\s+(?:[\w'’-]+\s+){0,4}?(?:differences?|improvements?|"
    r"results|changes?))\b", re.I)
# "I lost 30 pounds", "I'm losing weight"
_LOST = re.compile(_ME + r"\s+(?:(?:have|had|finally|already|just|am|was|wasn['’]t|not|been|also|started)\s+){0,3}"
                   r"(?:lost|dropped|shed|losing)\s+"
                   r"(?:(?:over|about|nearly|almost|more\s+than|a\s+total\s+of)\s+)?(?:\d+\s*(?:pounds|lbs?|kg|kilos|"
                   r"stone|sizes|inches|%)|(?:the\s+|some\s+|so\s+much\s+)?weight)\b", re.I)
# "I've had five done", "I had my lips done"; "I let Dr. Lee remove them"; "... how we would treat my melanoma"
_HAD_DONE = re.compile(
    _ME + r"\s+(?:have\s+|had\s+)?had\s+(?:it|them|mine|both|some\s+work|another\s+one|(?:a\s+few|several|one|two|"
    r"three|four|five|six|\d+)(?:\s+(?:of\s+them|more))?|my\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:done|removed|treated|injected|"
    r"fixed|lifted)\b"
    r"|\bI\b[^.]{0,40}?\b(?:allow(?:ed|ing)?|let(?:ting)?|trust(?:ed)?|asked|chose|had)\s+(?:Dr\.?|Doctor)\s+[A-Z][\w-]+\s+"
    r"(?:to\s+)?(?:remove|treat|inject|operate|perform|fix|take\s+out)\b"
    # not a question without its mark ("Can Botox treat my migraines", a heading in the reader's voice)
    # the clinician's work on the writer's body: "the doctor removed 4 mm of cartilage from the tip of my nose"
    r"|\b(?:doctor|surgeon|dermatologist|injector|nurse|Dr\.?\s+[A-Z][\w-]+|he|she)\s+(?:[\w-]+\s+)?(?:removed|injected|"
    r"treated|operated\s+on|reshaped|lifted|straightened|reduced|refined)\b[^.]{0,60}?\bmy\s+(?:[\w-]+\s+)?" + _BODY
    + r"\b"
    r"|^(?!\W*(?:can|could|does|do|did|will|would|should|how|what|which|why|when|is|are)\b)[^.]*?\b(?:treat|"
    r"treated|remove|removed|excise|excised|biopsied|inject|injected|operated\s+on)\s+my\s+(?!own\b)[\w-]+", re.I)
# "I am now melanoma free", "I'm pain-free"; "I've been recovering from my rhinoplasty"; "I love how my nose looks"
_OUTCOME = re.compile(
    r"\bI(?:['’]m|\s+am|\s+was|\s+have\s+been|['’]ve\s+been|\s+remain)\s+(?:now\s+|finally\s+|officially\s+|"
    r"completely\s+|totally\s+|still\s+)*(?:cancer|melanoma|pain|acne|symptom|tumou?r|disease|migraine)[- ]free\b"
    r"|" + _ME + r"\s+(?:have\s+been\s+|am\s+|was\s+|been\s+)?(?:recovering|recovered|healing|healed)\s+"
    r"(?:well\s+|nicely\s+)?from\s+my\s+(?:[\w-]+\s+){0,2}?" + _TREATMENT
    # "my weight-loss journey", "my Botox journey" (not "my journey into aesthetics": a career)
    + r"|\bmy\s+(?:own\s+)?(?:weight[- ]loss|recovery|healing|" + _BODY[3:-1] + r"|" + _TREATMENT[3:-3]
    + r")\s+journey\b"
    + r"|" + _ME + r"\s+(?:absolutely\s+|really\s+|just\s+)?love\s+(?:the\s+way\s+|how\s+)?my\s+(?:new\s+)?" + _BODY
    + r"\b", re.I)
# the satisfied patient's words (counted inside a quotation only)
_PRAISE = re.compile(
    _ME + r"\s+(?:absolutely\s+|just\s+|really\s+)?(?:love|loved)\s+(?:my|the|how|it)\b|" + _ME +
    r"\s+(?:am|was|'m|’m)?\s*(?:so\s+|very\s+|really\s+)?(?:happy|thrilled|pleased|glad|grateful)\s+"
    r"(?:with|about|i|that)\b|" + _ME + r"\s+(?:would\s+|highly\s+|definitely\s+)+recommend\b|\bbest\s+decision\b|"
    r"\bchanged\s+my\s+life\b|" + _ME + r"\s+feel\s+like\s+(?:myself|a\s+new)\b", re.I)
# a clinician speaking of their work, not of their own treatment
_PROVIDER = re.compile(
    r"\b(?:my|our)\s+(?:patients?|clients?|practice|clinic|office|staff|colleagues)\b|\bpatients\b|\bclients\b|"
    + _ME + r"\s+(?:always\s+|often\s+|usually\s+|typically\s+|generally\s+|also\s+)?(?:recommend|advise|tell|"
    r"suggest|perform|performed|inject|injected|prescribe|prescribed|administer|offer|offered|treat|treated)\b|"
    r"\b(?:offering|performing|injecting|prescribing|treating|administering|recommending|train|trained|"
    r"training|course|certified|certification|taught|teach|teaching|studied|research|career|specializ\w*|"
    r"specialis\w*)\b|\bmy\s+start\b|\bget\s+(?:asked|questions)\b|\b(?:started|began)\s+doing\b", re.I)
_HYPOTHESIS = re.compile(r"\b(?:if|whether|unless|wonder(?:ed|ing)?\s+(?:if|whether))\s+I\b|" + _ME +
                         r"\s+(?:wish|would|might)\b", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def _account(sentence: str) -> bool:
    """The writer's own treatment, body or feeling after it, in the first person."""
    if sentence.rstrip(" ”\"’)").endswith("?") or _PROVIDER.search(sentence) or _HYPOTHESIS.search(sentence):
        return False
    return any(p.search(sentence) for p in (_MY_TREATMENT, _UNDERGO, _DECIDE, _MY_BODY, _MY_BODY_MORE, _I_FELT, _LOST,
                                       _HAD_DONE, _OUTCOME))


def first_person_account(text: str) -> bool:
    """A first-person account of one's own treatment: "I put on a patch and felt fantastic"."""
    lower = text.lower()
    if not (" i " in f" {lower} " or "i'" in lower or "i’" in lower or "my " in lower):
        return False  # most blocks say neither "I" nor "my": skip the sentence patterns
    return any(_account(s) for s in sentences(text))


# A patient's results, named or not: "One patient lost 40 pounds", "I had a patient who ...", "Emma's scars
# faded", "Ana lost 30 pounds", "Candice is experiencing ..."
_RESULT_VERB = (r"(?:lost|dropped|shed|saw|noticed|experienced|achieved|gained|reported|regained|went\s+from|"
                r"got\s+rid\s+of|was\s+able\s+to|felt|looked|told|came\s+(?:in|to\s+(?:us|me|see))|is\s+"
                r"experiencing|has\s+(?:lost|seen|noticed|experienced))")
_UNNAMED = re.compile(
    r"\b(?:[Oo]ne|[Tt]his|[Tt]hat|[Aa]nother|[Oo]ur|[Mm]y)\s+(?:[\w-]+\s+){0,2}?(?:patient|client)\b"
    r"(?:\s+of\s+(?:mine|ours))?(?:,[^,.]{1,40},)?\s+(?:who\s+[^.]{0,60}?\s+)?" + _RESULT_VERB + r"\b"
    r"|\b[Aa]\s+(?:patient|client)\s+of\s+(?:mine|ours)\b"
    r"|\bI\s+(?:once\s+)?(?:had|treated|saw|met)\s+a\s+(?:[\w-]+\s+){0,2}?(?:patient|client|woman|man|mother|"
    r"lady|gentleman)\s+who\s+[^.]{0,60}?\b(?:lost|dropped|shed|saw|noticed|experienced|achieved|regained|"
    r"went\s+from|got\s+rid\s+of|was\s+able\s+to)\b"
    r"|\b[Aa]n?\s+\d{2}-year-old\s+(?:woman|man|mother|mom|father|dad|patient|client|lady)\b[^.]{0,60}?\b"
    r"(?:lost|dropped|shed|noticed|experienced|came\s+(?:in|to\s+(?:us|me)))\b")
_NOT_A_NAME = frozenset({
    "The", "This", "That", "These", "Those", "Our", "Your", "Their", "His", "Her", "Its", "It", "In", "On", "At",
    "With", "After", "Before", "When", "While", "During", "Since", "Within", "For", "By", "She", "He", "They",
    "We", "You", "Patients", "Participants", "People", "Subjects", "Women", "Men", "Users", "Adults", "Most",
    "Many", "Some", "Everyone", "Nobody", "Anyone", "Who", "Which", "Each", "Every", "Group", "Placebo",
    "Children", "Teens", "Adolescents", "Volunteers", "Individuals", "Both", "All", "Others", "Also", "Then"})
_PRODUCT = re.compile(_TREATMENT, re.I)
_TAKING = ("taking", "on", "using", "with", "receiving", "given", "of", "and", "or")
_NAMED = re.compile(
    r"\b(?P<name>[A-Z][a-z]{2,})\s+(?:(?:has|had|finally|already)\s+)?(?:lost|dropped|shed)\s+(?:over\s+|about\s+|"
    r"nearly\s+|almost\s+|more\s+than\s+|a\s+total\s+of\s+)?\d+"
    r"|\b(?P<name2>[A-Z][a-z]{2,})\s+(?:is|was|has\s+been)\s+(?:now\s+)?experiencing\b"
    r"|\b(?P<name3>[A-Z][a-z]{2,})\s+(?:noticed|felt|saw)\s+(?:a|an|her|his|the|significant|dramatic|visible|"
    r"real|great|amazing|results?|improvement|immediate|" + _MORE[3:-1] + r")\b")


def patient_results(text: str) -> bool:
    """A patient's own results or story, named or unnamed (not a study's or patients' in general)."""
    lower = text.lower()  # each form holds one of these words: most blocks hold none, and skip the forms
    if any(word in lower for word in ("patient", "client", "year-old", " who ")) and _UNNAMED.search(text):
        return True
    if not any(word in lower for word in ("lost", "dropped", "shed", "experiencing", "noticed", "felt", "saw")):
        return False
    for match in _NAMED.finditer(text):
        name = match.group("name") or match.group("name2") or match.group("name3")
        before = text[max(0, match.start() - 12) : match.start()].lower()
        if name in _NOT_A_NAME or name.endswith(("ants", "ents", "ople", "ects", "ers")) or \
                _PRODUCT.fullmatch(name) or before.rstrip().endswith(_TAKING):
            continue  # "adults taking Wegovy lost 15 %": a drug's trial, not a person
        return True
    return False


# a ’ with a letter after it is an apostrophe ("hadn’t"), not the quotation's end
_QUOTED = re.compile(r"[“\"‘](?P<words>[^“”\"]{12,1200}?)(?:[”\"]|’(?![A-Za-z])|$)", re.S)


def quoted_experience(text: str) -> str | None:
    """Someone's own experience in quotation marks, attributed or not: the quotation's words, or None. (Whose
    words they are, a clinician's or not, is the caller's question.) A quotation still open at the end of the
    block counts: a story quoted over several paragraphs."""
    if not any(mark in text for mark in "“\"‘"):
        return None
    for match in _QUOTED.finditer(text):
        words = match.group("words")
        if _PRAISE.search(words) or first_person_account(words):
            return words
    return None
